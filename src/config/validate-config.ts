import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../core/errors';
import { formatConfigIssues, PARSE_OPTIONS, type IssueOwner } from '../core/format-config-issues';
import { isUrl } from '../handlers/spec-location';
import { loomConfigSchema, type AdminOptions, type LoomConfig, type ResolvedConfig, type SourceOptions } from './types';
import { resolveCompression } from '../plugins/http/use-compression';
import { resolveHttpServerLimits } from './http-server-limits';
import { resolveTls, tlsFileProblems } from './tls-options';
import { DEFAULT_REDIS_COMMAND_TIMEOUT_MS } from '../plugins/stores/with-redis-deadline';
import { DEFAULT_REDIS_READINESS_TIMEOUT_MS } from '../plugins/stores/redis-health';

const BFF_NAME = /^[a-z][a-z0-9-]*$/;

/** Default of `shutdownTimeoutMs`: below Kubernetes' 30 s grace period. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;

type Raw = Record<string, unknown>;

const isObject = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);

function resolveLocation(configDir: string, location: string): string {
  return isUrl(location) || isAbsolute(location) ? location : resolve(configDir, location);
}

/** Names the item a path is in, as users know it: `source "catalog"`, `link "Order.customer"`, `bff "web"`. */
function ownerOf(config: Raw) {
  return (path: readonly PropertyKey[]): IssueOwner | undefined => {
    const [list, index] = path;
    if ((list === 'sources' || list === 'links') && typeof index === 'number') {
      const item = (config[list] as unknown[] | undefined)?.[index];
      const label =
        list === 'sources' ? (isObject(item) ? item.name : undefined) : isObject(item) ? item.field : undefined;
      if (typeof label === 'string' && label !== '')
        return { label: `${list === 'sources' ? 'source' : 'link'} ${JSON.stringify(label)}`, depth: 2 };
    }
    if (list === 'bffs' && typeof index === 'string') return { label: `bff ${JSON.stringify(index)}`, depth: 2 };
    return undefined;
  };
}

/** The spec files (or URLs) of a source, as `[option, location]`: one per proto file, none for an introspected GraphQL source. */
export function specFieldsOf(source: SourceOptions): Array<[string, string]> {
  switch (source.kind) {
    case 'openapi':
      return [['spec', source.spec]];
    case 'grpc':
      return (Array.isArray(source.proto) ? source.proto : [source.proto]).map((proto) => ['proto', proto]);
    case 'soap':
      return [['wsdl', source.wsdl]];
    case 'graphql':
      return source.sdl === undefined ? [] : [['sdl', source.sdl]];
    default:
      return [];
  }
}

/** What a schema cannot see: files that must exist, names that must be unique, options that must agree. */
function crossChecks(file: string, configDir: string, config: Raw): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const source of Array.isArray(config.sources) ? config.sources : []) {
    if (!isObject(source) || typeof source.name !== 'string') continue;
    const named = `${file}: source ${JSON.stringify(source.name)}`;
    if (seen.has(source.name)) problems.push(`${named}: two sources have this name`);
    const credentials = isObject(source.credentials) ? source.credentials : {};
    if (
      source.kind === 'soap' &&
      isObject(source.auth) &&
      source.auth.basic &&
      (credentials.bearer || credentials.oauth2 || credentials.hmac)
    )
      problems.push(`${named}: auth.basic and credentials both set Authorization; keep one`);
    seen.add(source.name);
    for (const [field, location] of specFieldsOf(source as unknown as SourceOptions) as Array<[string, unknown]>) {
      if (typeof location !== 'string' || location === '') continue;
      const resolved = resolveLocation(configDir, location);
      if (!isUrl(resolved) && !existsSync(resolved)) problems.push(`${named}: ${field} file ${location} not found`);
    }
  }
  if (isObject(config.bffs)) {
    if (Object.keys(config.bffs).length === 0) problems.push(`${file}: bffs must name at least one BFF file`);
    for (const [name, location] of Object.entries(config.bffs)) {
      if (!BFF_NAME.test(name)) problems.push(`${file}: bff "${name}": name must match ${BFF_NAME}`);
      else if (typeof location === 'string' && location !== '' && !existsSync(resolveLocation(configDir, location)))
        problems.push(`${file}: bff "${name}": file ${location} not found`);
    }
  }
  const admin = config.admin;
  if (isObject(admin) && admin.port !== 0 && admin.port === (config.port ?? 4000))
    if ((admin.host ?? '127.0.0.1') === (config.host ?? '127.0.0.1'))
      problems.push(`${file}: admin.port must differ from port (${String(admin.port)})`);
  problems.push(...tlsFileProblems(file, configDir, config.tls));
  return problems;
}

function resolvePaths(configDir: string, source: SourceOptions): SourceOptions {
  switch (source.kind) {
    case 'openapi':
      return { ...source, spec: resolveLocation(configDir, source.spec) };
    case 'grpc': {
      const protos = Array.isArray(source.proto) ? source.proto : [source.proto];
      return {
        ...source,
        proto: protos.map((proto) => resolveLocation(configDir, proto)),
        includeDirs: source.includeDirs?.map((dir) => resolveLocation(configDir, dir)),
      };
    }
    case 'soap':
      return { ...source, wsdl: resolveLocation(configDir, source.wsdl) };
    case 'graphql':
      return { ...source, sdl: source.sdl && resolveLocation(configDir, source.sdl) };
  }
}

function resolveRedis(redis: LoomConfig['redis']): ResolvedConfig['redis'] {
  // Unset, or an empty environment variable (`redis: process.env.LOOM_REDIS_URL`): in memory.
  if (!redis) return undefined;
  const options = typeof redis === 'string' ? { url: redis } : redis;
  const deadlines = {
    commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
    readinessTimeoutMs: options.readinessTimeoutMs ?? DEFAULT_REDIS_READINESS_TIMEOUT_MS,
    keyPrefix: options.keyPrefix ?? 'loom:',
  };
  if (options.cluster) return { cluster: options.cluster, ...deadlines };
  if (options.sentinels)
    return {
      sentinels: options.sentinels,
      // The schema refuses sentinels without a name.
      name: options.name ?? '',
      password: options.password,
      sentinelPassword: options.sentinelPassword,
      db: options.db,
      ...deadlines,
    };
  return { url: options.url ?? '', ...deadlines };
}

function resolveAdmin(admin: AdminOptions | undefined): Required<AdminOptions> | undefined {
  return admin && { port: admin.port, host: admin.host ?? '127.0.0.1' };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Runs a check that throws a ConfigError; its lines become problems, so every fault is reported at once. */
function collect<T>(problems: string[], check: () => T): T | undefined {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.message.split('\n'));
    return undefined;
  }
}

/** A generated config can be wrong in thousands of places; the first ones say enough. */
const MAX_PROBLEMS_SHOWN = 50;

function listProblems(file: string, problems: readonly string[]): string {
  if (problems.length <= MAX_PROBLEMS_SHOWN) return problems.join('\n');
  const more = problems.length - MAX_PROBLEMS_SHOWN;
  return [
    ...problems.slice(0, MAX_PROBLEMS_SHOWN),
    `${file}: ... and ${more} more problem${more === 1 ? '' : 's'}`,
  ].join('\n');
}

/** The default schema cache folder: per user, so a shared /tmp never mixes (or poisons) two users' caches. */
export function defaultSchemaCacheDirectory(): string {
  return join(tmpdir(), `loom-schema-cache-${process.getuid?.() ?? 'user'}`);
}

/** The cache folder: LOOM_SCHEMA_CACHE (`off` or a folder) wins over the config key. */
function resolveSchemaCache(
  configDir: string,
  option: LoomConfig['schemaCache'],
  env: NodeJS.ProcessEnv,
): ResolvedConfig['schemaCache'] {
  const fromEnv = env.LOOM_SCHEMA_CACHE;
  if (fromEnv === 'off') return false;
  if (fromEnv) return { directory: resolve(configDir, fromEnv) };
  if (option === false) return false;
  return { directory: option?.directory ? resolve(configDir, option.directory) : defaultSchemaCacheDirectory() };
}

/**
 * Validates a config once, at the edge, against the config schema (zod,
 * strict: an unknown key is an error with a "did you mean"), then checks what
 * a schema cannot (files exist, names are unique). Every fault is reported at
 * once, one line each, naming the file, the source and the fault. The result
 * has its defaults filled in, absolute paths, and is frozen.
 */
export function validateConfig(raw: unknown, file: string, configDir: string): ResolvedConfig {
  if (!isObject(raw)) throw new ConfigError(`${file}: the config must export an object (use defineConfig)`);
  const parsed = loomConfigSchema.safeParse(raw, PARSE_OPTIONS);
  const problems = parsed.success
    ? []
    : formatConfigIssues(parsed.error.issues, { ownerOf: ownerOf(raw), input: raw }).map((line) => `${file}: ${line}`);
  problems.push(...crossChecks(file, configDir, raw));
  const server = collect(problems, () => resolveHttpServerLimits(file, parsed.data?.server));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(listProblems(file, problems));
  const config = parsed.data;
  return deepFreeze({
    file,
    configDir,
    sources: config.sources.map((source) => resolvePaths(configDir, source)),
    links: config.links ?? [],
    bffs: Object.fromEntries(
      Object.entries(config.bffs).map(([name, location]) => [name, resolveLocation(configDir, location)]),
    ),
    redis: resolveRedis(config.redis),
    port: config.port ?? 4000,
    host: config.host ?? '127.0.0.1',
    server: server!,
    production: config.production ?? process.env.NODE_ENV === 'production',
    schemaDir: resolveLocation(configDir, config.schemaDir ?? './schema'),
    observability: config.observability,
    shutdownTimeoutMs: config.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
    compression:
      config.compression === undefined || config.compression === false
        ? undefined
        : resolveCompression(config.compression === true ? {} : config.compression),
    admin: resolveAdmin(config.admin),
    portal: config.portal ?? {},
    tls: resolveTls(configDir, config.tls),
    schemaCache: resolveSchemaCache(configDir, config.schemaCache, process.env),
  });
}
