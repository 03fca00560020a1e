import cluster from 'node:cluster';
import { versionPath } from '../bff/versions/create-versioned-bff-app';
import { loadConfig } from './load-config';
import { createGateway } from '../server/create-gateway';
import { listen, listenAdmin, type RunningServer } from '../server/create-http-server';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '../config/validate-config';
import { createLogger } from '../core/logger';
import { StartupError } from '../core/errors';
import { setupTracing } from '../observability/setup-tracing';
import type { CliIo } from './cli-io';
import type { DemoModule } from './demo-module';
import { runPrimary } from './workers/run-primary';
import { createWorkerMetrics } from './workers/cluster-metrics';
import { reportReady } from './workers/worker-ready';

export interface ServeOptions {
  configFile: string;
  port?: number;
  demo: boolean;
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
export async function runServe({ configFile, port, demo, io: processIo, workers }: ServeOptions): Promise<void> {
  // A worker's banner goes to the primary, which prints it once (see workers/run-primary.ts).
  const banner: string[] = [];
  const io: CliIo = cluster.isWorker ? { out: (text) => banner.push(text), err: processIo.err } : processIo;
  const workerMetrics = cluster.isWorker ? createWorkerMetrics() : undefined;
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
    if (tracing.recording)
      logger.info(
        { sampleRatio: config.observability?.tracing?.sampleRatio ?? 1 },
        'tracing: exporting spans over OTLP/HTTP',
      );
    const gateway = await createGateway({ config, logger, metricsText: workerMetrics?.metricsText });
    workerMetrics?.register(gateway.metrics);
    stops.unshift(() => gateway.close());
    server = await listen({ gateway }, port ?? config.port, config.host);
    if (config.admin) {
      const admin = await listenAdmin({ gateway }, config.admin.port, config.admin.host);
      // First of the stops, after the client port has drained: /readyz there reports the drain to the end.
      stops.unshift(() => admin.close());
      io.out(`loom: admin on ${admin.url} (/metrics, /readyz)\n`);
    }
    for (const bff of gateway.bffs.values()) {
      io.out(`loom: ${bff.name} BFF on ${server.url}${bff.endpoint}\n`);
      for (const version of bff.versions?.apps.keys() ?? []) {
        const current = version === bff.versions?.current ? ' (current)' : '';
        io.out(`loom: ${bff.name} BFF ${version}${current} on ${server.url}${versionPath(bff.name, version)}\n`);
      }
    }
    io.out(`loom: ready on ${server.url} (portal at /, health at /healthz)\n`);
    if (cluster.isWorker) reportReady(server.url, banner);
  } catch (error) {
    await server?.close();
    for (const stop of stops) await stop();
    throw error;
  }
  stopOnSignals(server, stops, shutdownTimeoutMs, io);
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
