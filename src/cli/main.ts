import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, StartupError } from '../core/errors';
import type { CliIo } from './cli-io';

export type { CliIo };

/**
 * Commands load when run: `serve` starts faster without the schema differ and
 * the spec importers. `require`, not `import()`: under tsx a dynamic import
 * takes the ESM road, which does not resolve extensionless TypeScript paths.
 */
function loadCommand<T>(path: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path) as T;
}

const HELP = `loom: a GraphQL BFF gateway

Usage:
  loom serve   [--config mesh.config.ts] [--port 4000] [--demo]   serve every BFF on one port (default command)
  loom compose [--config mesh.config.ts]                           write schema/<bff>.graphql snapshots
  loom check   [--config mesh.config.ts]                           compare with the snapshots; exit 1 on breaking changes
  loom sources add <name> --openapi|--proto|--wsdl <file> --endpoint <url>

Options:
  -c, --config <file>   config file (default: mesh.config.ts)
  -p, --port <n>        port to listen on (default: config port or 4000)
      --demo            also start the demo backends (REST catalog, gRPC orders, SOAP billing)
      --workers <n|auto>  serve: n worker processes on the one port (auto: one per core)
  -h, --help            show this help
  -v, --version         print the version

Environment:
  LOOM_LOG_LEVEL                      log level: trace, debug, info, warn, error (default: info)
  NODE_ENV=production                 masked errors, no field suggestions (config \`production\` wins)
  LOOM_OTLP_ENDPOINT                  OTLP/HTTP base URL spans go to (else the OTEL_* variables below)
  OTEL_EXPORTER_OTLP_ENDPOINT         OTLP/HTTP base URL (standard)
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT  OTLP/HTTP traces URL, used as is
  OTEL_EXPORTER_OTLP_HEADERS          headers of the OTLP exporter, e.g. authorization=Bearer%20x
  OTEL_SERVICE_NAME                   service.name of spans (default: config serviceName, else loom)
  OTEL_RESOURCE_ATTRIBUTES            extra resource attributes, e.g. deployment.environment=prod
  LOOM_SCHEMA_CACHE                   generated source schemas: off, or a folder (default: config schemaCache)
  LOOM_RUN_TS=1                       run the TypeScript sources even when dist/ (npm run build) is up to date
  The demo config (mesh.config.ts) also reads PORT, LOOM_HOST, LOOM_REDIS_URL, LOOM_CATALOG_URL,
  LOOM_ORDERS_URL, LOOM_BILLING_URL and DEMO_CATALOG_API_KEY; --demo binds free ports
  unless LOOM_DEMO_CATALOG_PORT, LOOM_DEMO_ORDERS_PORT or LOOM_DEMO_BILLING_PORT is set,
  and its token issuer 4104 (when free) unless LOOM_DEMO_ISSUER_PORT is set. The demo BFFs
  read LOOM_DEMO_JWKS_URL and LOOM_DEMO_IOT_API_KEY.

Exit codes: 0 ok, 1 error (bad config, breaking changes, cannot listen), 2 usage.
`;

/** `--port` as given: checked before anything loads, so a typo does not wait for the graph to compose. */
function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535))
    throw new UsageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(text)}`);
  return port;
}

class UsageError extends Error {}

/** `--workers N|auto`: worker processes under `loom serve`; auto = one per core. */
function parseWorkerCount(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === 'auto') return availableParallelism();
  const count = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (!(count >= 1 && count <= 256))
    throw new UsageError(`--workers must be an integer from 1 to 256 or auto, got ${JSON.stringify(text)}`);
  return count;
}

function readVersion(): string {
  return (JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;
}

const processIo: CliIo = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

export async function main(argv: string[], io: CliIo = processIo): Promise<number | undefined> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c', default: 'mesh.config.ts' },
        port: { type: 'string', short: 'p' },
        demo: { type: 'boolean', default: false },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
        openapi: { type: 'string' },
        proto: { type: 'string' },
        wsdl: { type: 'string' },
        endpoint: { type: 'string' },
      },
    });
  } catch (error) {
    io.err(`loom: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0] ?? 'serve';
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  if (values.version) {
    io.out(`${readVersion()}\n`);
    return 0;
  }
  try {
    switch (command) {
      case 'serve': {
        const port = parsePort(values.port);
        await loadCommand<typeof import('./serve-command')>('./serve-command').runServe({
          configFile: values.config,
          port,
          demo: values.demo,
          io,
          workers: parseWorkerCount(values.workers),
        });
        return undefined;
      }
      case 'compose':
        return await loadCommand<typeof import('./compose-command')>('./compose-command').runCompose({
          configFile: values.config,
          io,
        });
      case 'check':
        return await loadCommand<typeof import('./check-command')>('./check-command').runCheck({
          configFile: values.config,
          io,
        });
      case 'sources':
        if (positionals[1] !== 'add') {
          io.err(`loom: unknown command "sources ${positionals[1] ?? ''}"\n\n${HELP}`);
          return 2;
        }
        return await loadCommand<typeof import('./sources-add-command')>('./sources-add-command').runSourcesAdd({
          configFile: values.config,
          name: positionals[2],
          openapi: values.openapi,
          proto: values.proto,
          wsdl: values.wsdl,
          endpoint: values.endpoint,
          io,
        });
      default:
        io.err(`loom: unknown command "${command}"\n\n${HELP}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      // A config with several faults reports them all, one line each.
      io.err(
        error.message
          .split('\n')
          .map((line) => `loom: ${line}\n`)
          .join(''),
      );
      return 1;
    }
    if (error instanceof StartupError) {
      io.err(`loom: ${error.message}\n`);
      return 1;
    }
    if (error instanceof UsageError) {
      io.err(`loom: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
