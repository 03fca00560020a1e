import cluster from 'node:cluster';
import { versionPath } from '../bff/versions/create-versioned-bff-app';
import { dirname, resolve } from 'node:path';
import { forgetProjectModules, loadConfig } from './load-config';
import { createGateway, createGatewayMemoryState, createProcessRegistry, type Gateway } from '../server/create-gateway';
import { createReloadableGateway, type ReloadableGateway } from '../server/reloadable-gateway';
import type { ResolvedConfig } from '../config/types';
import type { Logger } from '../core/logger';
import { watchProject } from './watch-project';
import { listen, listenAdmin, type RunningServer } from '../server/create-http-server';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '../config/validate-config';
import { createLogger } from '../core/logger';
import { StartupError } from '../core/errors';
import { setupTracing } from '../observability/setup-tracing';
import type { CliIo } from './cli-io';
import { createProgress, describeCount, withProgress } from './progress';
import type { DemoModule } from './demo-module';
import { runPrimary } from './workers/run-primary';
import { createWorkerMetrics } from './workers/cluster-metrics';
import { reportReady } from './workers/worker-ready';

export interface ServeOptions {
  configFile: string;
  port?: number;
  /** From --host or LOOM_HOST; over the config's `host`. */
  host?: string;
  demo: boolean;
  /** No progress lines on stderr. */
  quiet?: boolean;
  /** Reload when the config, sources/ or a BFF file changes. */
  watch?: boolean;
  io: CliIo;
  /** `--workers`: run this many worker processes (node:cluster) under a supervising primary. */
  workers?: number;
}

/** demo/ ships with the repository, not with the npm package. */
function loadDemoModule(): DemoModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../../demo/start-demo-backends') as { demoModule: DemoModule }).demoModule;
  } catch (error) {
    throw new StartupError(`--demo needs Loom's repository (demo/): ${(error as Error).message.split('\n')[0]}`);
  }
}

/** Starts the demo backends and points mesh.config.ts at them; returns their stop. */
async function startDemo(io: CliIo): Promise<() => Promise<void>> {
  // The demo (and the soap package its SOAP backend needs) loads only behind --demo.
  const { startDemoBackends, demoPortsFromEnv } = loadDemoModule();
  const backends = await startDemoBackends(demoPortsFromEnv()).catch((error: Error) => {
    throw new StartupError(`cannot start the demo backends: ${error.message.split('\n')[0]}`);
  });
  // mesh.config.ts reads these; a URL set by the user points elsewhere on purpose and wins.
  process.env.LOOM_CATALOG_URL ??= backends.catalog.url;
  process.env.LOOM_ORDERS_URL ??= backends.orders.url;
  process.env.LOOM_BILLING_URL ??= backends.billing.url;
  process.env.LOOM_DEMO_JWKS_URL ??= backends.issuer.jwksUrl;
  io.out(
    `loom: demo backends: catalog ${backends.catalog.url}, orders ${backends.orders.url}, billing ${backends.billing.url}\n`,
  );
  for (const line of backends.banner) io.out(`loom: ${line}\n`);
  return () => backends.close();
}

/**
 * `loom serve`: load the config, compose, serve every BFF. On SIGTERM/SIGINT
 * drain (see RunningServer.drain), close everything, exit 0, or 1 when the
 * shutdown deadline cut requests; a second signal exits at once.
 */
/**
 * The gateway `loom serve` runs: reloadable. Each reload reads the config,
 * the BFF files and the specs afresh and builds the next generation; the
 * listener, port, admin port, limits and tracing stay as started.
 */
async function createServedGateway(
  configFile: string,
  config: ResolvedConfig,
  logger: Logger,
  metricsText?: () => Promise<string>,
): Promise<ReloadableGateway> {
  const metrics = createProcessRegistry();
  // Issued keys and rate-limit buckets without Redis: one set for every generation, so a reload keeps them.
  const memoryState = createGatewayMemoryState();
  const build = (current: ResolvedConfig): Promise<Gateway> =>
    createGateway({
      config: current,
      logger,
      metrics,
      metricsText,
      memoryState,
      reloadStatus: () => reloadable.reloadStatus(),
    });
  const reloadable: ReloadableGateway = createReloadableGateway({
    initial: await build(config),
    logger,
    metrics,
    retireTimeoutMs: config.shutdownTimeoutMs,
    build: async () => {
      const file = resolve(configFile);
      forgetProjectModules([dirname(file)], [file, ...Object.values(reloadable.config.bffs)]);
      const next = loadConfig(configFile);
      forgetProjectModules([], Object.values(next.bffs));
      return build(next);
    },
  });
  return reloadable;
}

/** SIGHUP reloads (always); `--watch` also reloads when a watched file changes. */
function reloadOn(gateway: ReloadableGateway, watchFiles: boolean, logger: Logger): () => void {
  const reload = (cause: string) => {
    logger.info({ cause }, 'reload: starting');
    void gateway.reload(cause).then((status) => {
      if (status.lastReloadOk) watcher?.update(gateway.config);
    });
  };
  const onHangup = () => reload('SIGHUP');
  process.on('SIGHUP', onHangup);
  const watcher = watchFiles
    ? watchProject({ config: gateway.config, logger, onChange: (file) => reload(`change to ${file}`) })
    : undefined;
  return () => {
    process.off('SIGHUP', onHangup);
    watcher?.close();
  };
}

export async function runServe({
  configFile,
  port,
  host,
  demo,
  watch = false,
  quiet,
  io: processIo,
  workers,
}: ServeOptions): Promise<void> {
  // A worker's banner goes to the primary, which prints it once (see workers/run-primary.ts).
  const banner: string[] = [];
  const io: CliIo = cluster.isWorker ? { out: (text) => banner.push(text), err: processIo.err } : processIo;
  const workerMetrics = cluster.isWorker ? createWorkerMetrics() : undefined;
  // Progress once, from the primary: not from every worker.
  const progress = createProgress(io, quiet || cluster.isWorker);
  const logger = createLogger({ pretty: Boolean(process.stdout.isTTY) });
  const stops: Array<() => Promise<void>> = [];
  // Under --workers the primary runs the demo; its workers find the URLs in the environment.
  if (demo && !cluster.isWorker) stops.push(await startDemo(io));
  if (workers !== undefined && cluster.isPrimary) {
    try {
      const { shutdownTimeoutMs } = loadConfig(configFile); // a bad config fails here, once, not in every worker
      return await runPrimary({ workers, shutdownTimeoutMs, io, stops });
    } catch (error) {
      for (const stop of stops) await stop();
      throw error;
    }
  }
  let server: RunningServer | undefined;
  let shutdownTimeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS;
  try {
    const config = loadConfig(configFile);
    shutdownTimeoutMs = config.shutdownTimeoutMs;
    const tracing = setupTracing(config.observability?.tracing);
    stops.push(() => tracing.shutdown()); // last: flushes spans after the server has stopped
    if (tracing.export) logger.info(tracing.export, 'tracing: exporting spans over OTLP');
    const gateway = await withProgress(
      progress,
      `loading and composing ${describeCount(
        'source',
        config.sources.map((source) => source.name),
      )} for ${describeCount('BFF', Object.keys(config.bffs))}`,
      'composed',
      () => createServedGateway(configFile, config, logger, workerMetrics?.metricsText),
    );
    workerMetrics?.register(gateway.metrics);
    stops.unshift(() => gateway.close());
    const stopReloading = reloadOn(gateway, watch, logger);
    stops.unshift(async () => stopReloading());
    server = await listen({ gateway }, port ?? config.port, host ?? config.host);
    const lines: string[] = [];
    if (config.admin) {
      const admin = await listenAdmin({ gateway }, config.admin.port, config.admin.host);
      // First of the stops, after the client port has drained: /readyz there reports the drain to the end.
      stops.unshift(() => admin.close());
      lines.push(`loom: admin on ${admin.url} (/metrics, /readyz)\n`);
    }
    for (const bff of gateway.bffs.values()) {
      lines.push(`loom: ${bff.name} BFF on ${server.url}${bff.endpoint}\n`);
      for (const version of bff.versions?.apps.keys() ?? []) {
        const current = version === bff.versions?.current ? ' (current)' : '';
        lines.push(`loom: ${bff.name} BFF ${version}${current} on ${server.url}${versionPath(bff.name, version)}\n`);
      }
    }
    // Signal handlers first: a supervisor may send SIGTERM the moment it reads "ready", and a signal
    // that arrives before node listens for it kills the process without a drain.
    stopOnSignals(server, stops, shutdownTimeoutMs, io);
    for (const line of lines) io.out(line);
    io.out(`loom: ready on ${server.url} (portal at /, health at /healthz)\n`);
    if (watch) io.out('loom: watching the config, sources/ and the BFF files; a change reloads (so does SIGHUP)\n');
    if (cluster.isWorker) reportReady(server.url, banner);
  } catch (error) {
    await server?.close();
    for (const stop of stops) await stop();
    throw error;
  }
}

/** SIGTERM/SIGINT: drain, run `stops` in order, exit 0 (1 if the deadline cut requests); a second signal exits at once. */
function stopOnSignals(
  server: RunningServer,
  stops: ReadonlyArray<() => Promise<void>>,
  shutdownTimeoutMs: number,
  io: CliIo,
): void {
  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) {
      io.err(`loom: ${signal} again: exiting without waiting\n`);
      process.exit(1);
    }
    stopping = true;
    io.err(`loom: ${signal}: draining (up to ${shutdownTimeoutMs} ms for requests in flight)\n`);
    const outcome = await server.drain(shutdownTimeoutMs);
    // Upstream pools, gRPC channels, Redis, the demo backends, then the span exporter.
    for (const stop of stops) await stop().catch(() => undefined);
    io.err(
      outcome === 'drained'
        ? 'loom: stopped\n'
        : `loom: stopped after ${shutdownTimeoutMs} ms with requests still in flight\n`,
    );
    process.exit(outcome === 'drained' ? 0 : 1);
  };
  // A worker drains on the primary's SIGTERM; a terminal's Ctrl-C reaches it too, and must not count twice.
  process.on('SIGINT', cluster.isWorker ? () => undefined : shutdown);
  process.on('SIGTERM', shutdown);
}
