import { parseArgs } from 'node:util';
import { ConfigError } from '../core/errors';
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
  -h, --help            show this help
`;


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
        help: { type: 'boolean', short: 'h', default: false },
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
  try {
    switch (command) {
      case 'serve':
        await loadCommand<typeof import('./serve-command')>('./serve-command').runServe({ configFile: values.config, port: values.port === undefined ? undefined : Number(values.port), demo: values.demo, io });
        return undefined;
      case 'compose':
        return await loadCommand<typeof import('./compose-command')>('./compose-command').runCompose({ configFile: values.config, io });
      case 'check':
        return await loadCommand<typeof import('./check-command')>('./check-command').runCheck({ configFile: values.config, io });
      case 'sources':
        if (positionals[1] !== 'add') {
          io.err(`loom: unknown command "sources ${positionals[1] ?? ''}"\n\n${HELP}`);
          return 2;
        }
        return await loadCommand<typeof import('./sources-add-command')>('./sources-add-command').runSourcesAdd({ configFile: values.config, name: positionals[2], openapi: values.openapi, proto: values.proto, wsdl: values.wsdl, endpoint: values.endpoint, io });
      default:
        io.err(`loom: unknown command "${command}"\n\n${HELP}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      // A config with several faults reports them all, one line each.
      io.err(error.message.split('\n').map((line) => `loom: ${line}\n`).join(''));
      return 1;
    }
    throw error;
  }
}
