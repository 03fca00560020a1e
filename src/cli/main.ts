import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, StartupError } from '../core/errors';
import type { CliIo } from './cli-io';
import { commandHelp, HELP } from './command-help';

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

/** `--port` as given: checked before anything loads, so a typo does not wait for the graph to compose. */
function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535))
    throw new UsageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(text)}`);
  return port;
}

/** `--host` or LOOM_HOST as given; whether this machine has the address shows when the listener binds. */
function parseHost(text: string | undefined, from: string): string | undefined {
  if (text === undefined || (from === 'LOOM_HOST' && text === '')) return undefined;
  if (text.trim() === '' || /[\s/]/.test(text))
    throw new UsageError(`${from} must be a host name or an IP address, got ${JSON.stringify(text)}`);
  return text;
}

class UsageError extends Error {
  /** `hint`: also point at `loom help` (an unknown command, not a bad value). */
  constructor(
    message: string,
    readonly hint = false,
  ) {
    super(message);
  }
}

function parseTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const timeoutMs = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(timeoutMs > 0)) throw new UsageError(`--timeout must be a positive integer (ms), got ${JSON.stringify(text)}`);
  return timeoutMs;
}

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

const OPTIONS = {
  config: { type: 'string', short: 'c', default: 'mesh.config.ts' },
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  quiet: { type: 'boolean', short: 'q', default: false },
  demo: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
  openapi: { type: 'string' },
  proto: { type: 'string' },
  wsdl: { type: 'string' },
  endpoint: { type: 'string' },
  'include-dir': { type: 'string', multiple: true },
  prefix: { type: 'string' },
  force: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  timeout: { type: 'string' },
  watch: { type: 'boolean', default: false },
  workers: { type: 'string' },
} as const;

type ParsedArgs = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof OPTIONS }>>;

/** `loom help serve`, `loom serve --help`, `loom sources add --help`; bare `loom --help` or `loom help`: everything. */
function printHelp({ positionals }: ParsedArgs, io: CliIo): number {
  const topic = positionals[0] === 'help' ? positionals[1] : positionals[0];
  if (topic === undefined) {
    io.out(HELP);
    return 0;
  }
  const text = commandHelp(topic);
  if (!text) {
    io.err(`loom: no help for "${topic}": commands are serve, compose, check, sources\n`);
    return 2;
  }
  io.out(text);
  return 0;
}

async function runCommand({ values, positionals }: ParsedArgs, io: CliIo): Promise<number | undefined> {
  const command = positionals[0] ?? 'serve';
  switch (command) {
    case 'serve': {
      const port = parsePort(values.port);
      const host = parseHost(values.host, '--host') ?? parseHost(process.env.LOOM_HOST, 'LOOM_HOST');
      await loadCommand<typeof import('./serve-command')>('./serve-command').runServe({
        configFile: values.config,
        port,
        host,
        demo: values.demo,
        watch: values.watch,
        quiet: values.quiet,
        workers: parseWorkerCount(values.workers),
        io,
      });
      return undefined;
    }
    case 'compose':
      return await loadCommand<typeof import('./compose-command')>('./compose-command').runCompose({
        configFile: values.config,
        quiet: values.quiet,
        io,
      });
    case 'check':
      return await loadCommand<typeof import('./check-command')>('./check-command').runCheck({
        configFile: values.config,
        quiet: values.quiet,
        io,
      });
    case 'sources':
      return await runSources({ values, positionals }, io);
    default:
      throw new UsageError(`unknown command "${command}"`, true);
  }
}

async function runSources({ values, positionals }: ParsedArgs, io: CliIo): Promise<number | undefined> {
  switch (positionals[1]) {
    case 'add':
      return await loadCommand<typeof import('./sources-add-command')>('./sources-add-command').runSourcesAdd({
        configFile: values.config,
        name: positionals[2],
        openapi: values.openapi,
        proto: values.proto,
        wsdl: values.wsdl,
        endpoint: values.endpoint,
        includeDirs: values['include-dir'],
        prefix: values.prefix,
        force: values.force,
        dryRun: values['dry-run'],
        fetchTimeoutMs: parseTimeout(values.timeout),
        io,
      });
    case 'list':
      return loadCommand<typeof import('./sources-list-command')>('./sources-list-command').runSourcesList({
        configFile: values.config,
        io,
      });
    case 'remove':
      return await loadCommand<typeof import('./sources-remove-command')>('./sources-remove-command').runSourcesRemove({
        configFile: values.config,
        name: positionals[2],
        dryRun: values['dry-run'],
        io,
      });
    default:
      throw new UsageError(`unknown command "sources ${positionals[1] ?? ''}"`, true);
  }
}

/** Expected failures as lines on stderr and an exit code; anything else is a bug and keeps its stack. */
function reportFailure(error: unknown, io: CliIo): number {
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
    io.err(`loom: ${error.message}\n${error.hint ? USAGE_HINT : ''}`);
    return 2;
  }
  throw error;
}

const USAGE_HINT = 'Run "loom help" for the commands, "loom help <command>" for one.\n';

export async function main(argv: string[], io: CliIo = processIo): Promise<number | undefined> {
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    io.err(`loom: ${(error as Error).message}\n${USAGE_HINT}`);
    return 2;
  }
  if (parsed.positionals[0] === 'help' || parsed.values.help) return printHelp(parsed, io);
  if (parsed.values.version) {
    io.out(`${readVersion()}\n`);
    return 0;
  }
  try {
    return await runCommand(parsed, io);
  } catch (error) {
    return reportFailure(error, io);
  }
}
