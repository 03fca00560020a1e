import { loadConfig } from './load-config';
import { createGateway } from '../server/create-gateway';
import { listen } from '../server/create-http-server';
import { createLogger } from '../core/logger';
import { setupTracing } from '../observability/setup-tracing';
import type { CliIo } from './cli-io';

export interface ServeOptions {
  configFile: string;
  port?: number;
  demo: boolean;
  io: CliIo;
}

/** `loom serve`: load the config, compose, serve every BFF; stop cleanly on SIGINT/SIGTERM. */
export async function runServe({ configFile, port, demo, io }: ServeOptions): Promise<void> {
  const logger = createLogger({ pretty: Boolean(process.stdout.isTTY) });
  const stops: Array<() => Promise<void>> = [];
  if (demo) {
    // The demo (and the soap package its SOAP backend needs) loads only behind --demo.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startDemoBackends } = require('../../demo/start-demo-backends') as typeof import('../../demo/start-demo-backends');
    const backends = await startDemoBackends();
    stops.push(() => backends.close());
    for (const line of backends.banner) io.out(`loom: ${line}\n`);
  }
  try {
    const config = loadConfig(configFile);
    const tracing = setupTracing(config.observability?.tracing);
    stops.push(() => tracing.shutdown()); // last: flushes spans after the server has stopped
    if (tracing.recording) logger.info({ sampleRatio: config.observability?.tracing?.sampleRatio ?? 1 }, 'tracing: exporting spans over OTLP/HTTP');
    const gateway = await createGateway({ config, logger });
    stops.unshift(() => gateway.close());
    const server = await listen({ gateway }, port ?? config.port, config.host);
    stops.unshift(() => server.close());
    for (const bff of gateway.bffs.values()) io.out(`loom: ${bff.name} BFF on ${server.url}${bff.endpoint}\n`);
    io.out(`loom: ready on ${server.url} (portal at /, health at /healthz)\n`);
  } catch (error) {
    for (const stop of stops) await stop();
    throw error;
  }
  const shutdown = async () => {
    for (const stop of stops) await stop().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
