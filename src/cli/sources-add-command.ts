import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { ConfigError } from '../core/errors';
import { formatConfigIssues, PARSE_OPTIONS } from '../core/format-config-issues';
import { ENDPOINT_SCHEMAS } from '../upstream/endpoint-schemas';
import { isUrl } from '../handlers/spec-location';
import { NamingConflictError } from '../compose/check-naming-conflicts';
import type { CliIo } from './cli-io';
import { editSourcesList } from './config-file-editor';
import { collectSpecClosure, type SpecClosure, type SpecKind } from './spec-closure';
import { dryRunGateway, type DryRunReport } from './dry-run-gateway';
import { displayPath } from './compose-bff-schemas';

export interface SourcesAddOptions {
  configFile: string;
  name?: string;
  openapi?: string;
  proto?: string;
  wsdl?: string;
  endpoint?: string;
  /** gRPC: directories imports resolve against (`--include-dir`, repeatable). */
  includeDirs?: readonly string[];
  /** Prefix of the new source's types and root fields (rename.typePrefix and rename.rootFieldPrefix). */
  prefix?: string;
  /** Replace an existing sources/<name>/ and config entry. */
  force?: boolean;
  /** Check everything, write nothing. */
  dryRun?: boolean;
  /** Longest a spec URL may take to answer, in ms. @default 30000 */
  fetchTimeoutMs?: number;
  io: CliIo;
  cwd?: string;
}

const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const PREFIX = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Spec files are text; a bigger one is a mistake (a binary, a dump), not a spec. */
const MAX_SPEC_FILE_BYTES = 20 * 1024 * 1024;
const MAX_SPEC_FILES = 500;
export const DEFAULT_SPEC_FETCH_TIMEOUT_MS = 30_000;

const SPEC_FIELD: Readonly<Record<SpecKind, 'spec' | 'proto' | 'wsdl'>> = {
  openapi: 'spec',
  grpc: 'proto',
  soap: 'wsdl',
};

function specOf({ openapi, proto, wsdl }: SourcesAddOptions): { kind: SpecKind; given: string } {
  const given = [
    openapi !== undefined && { kind: 'openapi' as const, given: openapi },
    proto !== undefined && { kind: 'grpc' as const, given: proto },
    wsdl !== undefined && { kind: 'soap' as const, given: wsdl },
  ].filter((spec) => spec !== false);
  if (given.length !== 1) throw new ConfigError('sources add: give exactly one of --openapi, --proto or --wsdl');
  return given[0]!;
}

function checkArguments(options: SourcesAddOptions): void {
  const { name, endpoint, prefix, fetchTimeoutMs } = options;
  if (!name || !NAME.test(name)) throw new ConfigError(`sources add: the source name must match ${NAME}`);
  if (!endpoint) throw new ConfigError('sources add: --endpoint is required');
  if (prefix !== undefined && !PREFIX.test(prefix))
    throw new ConfigError(`sources add: --prefix must match ${PREFIX} (it starts GraphQL type and field names)`);
  if (fetchTimeoutMs !== undefined && !(Number.isInteger(fetchTimeoutMs) && fetchTimeoutMs > 0))
    throw new ConfigError('sources add: --timeout must be a positive integer (ms)');
}

/** Kilobytes, for progress lines. */
const kilobytes = (bytes: number) => `${Math.max(1, Math.round(bytes / 1024))} KB`;

function writeClosure(closure: SpecClosure, folder: string): void {
  for (const [path, bytes] of closure.files) {
    const target = join(folder, ...path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
}

function sourceEntry(
  options: SourcesAddOptions,
  kind: SpecKind,
  closure: SpecClosure,
  folder: string,
): Record<string, unknown> {
  return {
    name: options.name,
    kind,
    [SPEC_FIELD[kind]]: `${folder}/${closure.entry}`,
    ...(kind === 'grpc' && { includeDirs: [folder] }),
    endpoint: options.endpoint,
    ...(options.prefix && { rename: { typePrefix: options.prefix, rootFieldPrefix: options.prefix } }),
  };
}

/** A ConfigError about the staged copy, told in the terms of the user's files. */
function inUserTerms(error: unknown, replacements: ReadonlyArray<[string, string]>): unknown {
  if (!(error instanceof ConfigError)) return error;
  let message = error.message;
  for (const [from, to] of replacements) message = message.split(from).join(to);
  return error instanceof NamingConflictError
    ? Object.assign(new ConfigError(message), { conflicts: error.conflicts })
    : new ConfigError(message);
}

function clashHint(error: unknown, name: string, prefix: string | undefined): string | undefined {
  const conflicts = (error as Partial<NamingConflictError>).conflicts;
  if (!conflicts?.some((conflict) => conflict.owner === name || conflict.other === name)) return undefined;
  const example = `${name.replace(/[^A-Za-z0-9_]/g, '_')}_`;
  return prefix
    ? `sources add: ${conflicts.length} naming clash(es) remain with --prefix ${prefix}; choose another prefix`
    : `sources add: ${conflicts.length} naming clash(es); rerun with --prefix <p> to prefix "${name}"'s types and root fields (e.g. --prefix ${example})`;
}

function describeGains(report: DryRunReport): string {
  return report.bffs
    .map(({ name, gained }) => {
      const parts = Object.entries(gained)
        .filter(([, count]) => count > 0)
        .map(([operation, count]) => `+${count} ${operation}`);
      return `${name}: ${parts.length ? parts.join(', ') : '+0'}`;
    })
    .join('; ');
}

/**
 * `loom sources add <name> --openapi|--proto|--wsdl <file or URL> --endpoint <url>`:
 * a dry run of the real thing. It reads the spec and every file it references,
 * stages them, composes the whole gateway with the new source and builds every
 * BFF as `loom serve` does, runs `loom check` on the result, and only then
 * copies the files to sources/<name>/ and adds the source to the config (an
 * edit of the config's syntax tree). Any fault: one line per fault, exit 1,
 * nothing written. Progress goes to stderr.
 */
export async function runSourcesAdd(options: SourcesAddOptions): Promise<number> {
  const { io, cwd = process.cwd(), force = false, dryRun = false } = options;
  checkArguments(options);
  const name = options.name!;
  const { kind, given } = specOf(options);
  const progress = (line: string) => io.err(`loom: sources add: ${line}\n`);
  // The same parse as the config's, so `sources add` never writes an entry the config then refuses.
  const parsedEndpoint = ENDPOINT_SCHEMAS[kind === 'grpc' ? 'address' : 'url'].safeParse(
    options.endpoint,
    PARSE_OPTIONS,
  );
  if (!parsedEndpoint.success)
    throw new ConfigError(`sources add: --endpoint ${formatConfigIssues(parsedEndpoint.error.issues)[0]}`);
  const configFile = resolve(cwd, options.configFile);
  if (!existsSync(configFile)) throw new ConfigError(`${options.configFile}: config file not found`);
  const shownConfig = options.configFile;
  const configText = readFileSync(configFile, 'utf8');
  const editor = editSourcesList(configText, shownConfig);
  const configDir = dirname(configFile);
  const folder = join(configDir, 'sources', name);
  if (!force && editor.names.includes(name))
    throw new ConfigError(`sources add: ${shownConfig} already has a source "${name}" (--force replaces it)`);
  if (!force && existsSync(folder))
    throw new ConfigError(`sources add: ${relative(cwd, folder) || folder} already exists (--force replaces it)`);

  const location = isUrl(given) ? given : resolve(cwd, given);
  const includeDirs = (options.includeDirs ?? []).map((dir) => resolve(cwd, dir));
  for (const dir of includeDirs)
    if (!existsSync(dir)) throw new ConfigError(`sources add: --include-dir ${dir} not found`);
  let started = Date.now();
  const closure = await collectSpecClosure({
    kind,
    location,
    includeDirs,
    timeoutMs: options.fetchTimeoutMs ?? DEFAULT_SPEC_FETCH_TIMEOUT_MS,
    maxBytes: MAX_SPEC_FILE_BYTES,
    maxFiles: MAX_SPEC_FILES,
    onFile: (file) => progress(`reading ${isUrl(file) ? file : displayPath(file)}`),
  });
  const totalBytes = [...closure.files.values()].reduce((sum, bytes) => sum + bytes.byteLength, 0);
  progress(`${closure.files.size} file(s), ${kilobytes(totalBytes)} (${Date.now() - started} ms)`);
  for (const url of closure.remote) progress(`note: ${url} is a URL; it stays remote and is read at every start`);

  const staging = mkdtempSync(join(tmpdir(), 'loom-sources-add-'));
  // Beside the real config, so its relative imports and __dirname resolve as they do for `loom serve`.
  const stagedConfig = join(
    configDir,
    `.loom-sources-add-${process.pid}-${basename(staging)}${extname(configFile) || '.ts'}`,
  );
  const relativeFolder = `./${relative(configDir, folder).split('\\').join('/')}`;
  const replacements: Array<[string, string]> = [
    [staging, relativeFolder],
    [relative(cwd, stagedConfig), shownConfig],
    [stagedConfig, shownConfig],
  ];
  try {
    writeClosure(closure, staging);
    writeFileSync(stagedConfig, editor.withSource(sourceEntry(options, kind, closure, staging)));
    const finalText = editor.withSource(sourceEntry(options, kind, closure, relativeFolder));
    started = Date.now();
    let report: DryRunReport;
    try {
      report = await dryRunGateway({ configFile: stagedConfig, cwd, sourceName: name, progress });
    } catch (error) {
      const hint = clashHint(error, name, options.prefix);
      const told = inUserTerms(error, replacements);
      if (hint && told instanceof ConfigError) throw new ConfigError(`${told.message}\n${hint}`);
      throw told;
    }
    progress(`composed and built ${report.bffs.length} BFF(s) as serve does (${Date.now() - started} ms)`);
    progress(`exposed on: ${describeGains(report)}`);
    for (const line of report.checkLines) progress(`loom check: ${line}`);
    if (!report.checkOk) throw new ConfigError(`sources add: loom check finds breaking changes; nothing written`);
    if (dryRun) {
      io.out(
        `loom: dry run: ${kind} source "${name}" (${report.rootFields} root fields) would be added; nothing written\n`,
      );
      return 0;
    }
    if (existsSync(folder)) rmSync(folder, { recursive: true, force: true });
    mkdirSync(dirname(folder), { recursive: true });
    cpSync(staging, folder, { recursive: true });
    // A rename is atomic: a reader sees the old config or the new one, never half of it.
    const written = `${configFile}.loom-${process.pid}.tmp`;
    writeFileSync(written, finalText);
    renameSync(written, configFile);
    io.out(
      `loom: added ${kind} source "${name}" (${report.rootFields} root fields, ${closure.files.size} file(s)) in ${relativeFolder}/ to ${shownConfig}\n`,
    );
    return 0;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(stagedConfig, { force: true });
  }
}
