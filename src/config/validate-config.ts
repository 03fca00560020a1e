import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../core/errors';
import { isUrl } from '../handlers/spec-location';
import type { AdminOptions, LoomConfig, RedisOptions, ResolvedConfig, SourceOptions } from './types';
import { resolveCompression, type ResolvedCompression } from '../plugins/http/use-compression';
import { findUnknownKeys, LINK_KEYS, SOURCE_KEYS, TOP_LEVEL_KEYS } from './config-keys';
import { validateObservabilityOptions } from '../observability/observability-options';
import { validateHttpServerLimits } from './http-server-limits';
import { validateUpstreamPolicyOptions } from '../upstream/upstream-policy-options';
import { DEFAULT_REDIS_COMMAND_TIMEOUT_MS } from '../plugins/stores/with-redis-deadline';
import { DEFAULT_REDIS_READINESS_TIMEOUT_MS } from '../plugins/stores/redis-health';

const KNOWN_KINDS = ['openapi', 'grpc', 'soap', 'graphql'] as const;
const SOURCE_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const BFF_NAME = /^[a-z][a-z0-9-]*$/;

function resolveLocation(configDir: string, location: string): string {
  return isUrl(location) || isAbsolute(location) ? location : resolve(configDir, location);
}

function specFieldsOf(source: SourceOptions): Array<[string, string]> {
  switch (source.kind) {
    case 'openapi':
      return [['spec', source.spec]];
    case 'grpc':
      return (Array.isArray(source.proto) ? source.proto : [source.proto]).map((proto) => ['proto', proto]);
    case 'soap':
      return [['wsdl', source.wsdl]];
    case 'graphql':
      return source.sdl ? [['sdl', source.sdl]] : [];
  }
}

function validateSource(file: string, configDir: string, raw: unknown, seen: Set<string>): SourceOptions {
  const where = `${file}: source`;
  if (!raw || typeof raw !== 'object') throw new ConfigError(`${where}: each source must be an object`);
  const source = raw as SourceOptions;
  if (typeof source.name !== 'string' || !SOURCE_NAME.test(source.name)) {
    throw new ConfigError(`${where} ${JSON.stringify(source.name)}: name must match ${SOURCE_NAME}`);
  }
  const named = `${where} "${source.name}"`;
  if (seen.has(source.name)) throw new ConfigError(`${named}: two sources have this name`);
  seen.add(source.name);
  if (!KNOWN_KINDS.includes(source.kind)) {
    throw new ConfigError(
      `${named}: unknown kind ${JSON.stringify((source as { kind?: unknown }).kind)} (expected one of ${KNOWN_KINDS.join(', ')})`,
    );
  }
  const specFields = specFieldsOf(source);
  if (source.kind !== 'graphql' && specFields.some(([, value]) => typeof value !== 'string' || value === '')) {
    throw new ConfigError(`${named}: ${specFields[0]?.[0] ?? 'spec'} is required`);
  }
  for (const [field, location] of specFields) {
    const resolved = resolveLocation(configDir, location);
    if (!isUrl(resolved) && !existsSync(resolved)) {
      throw new ConfigError(`${named}: ${field} file ${location} not found`);
    }
  }
  if (source.kind === 'graphql' && !source.endpoint) throw new ConfigError(`${named}: endpoint is required`);
  if (source.kind === 'grpc' && !(Array.isArray(source.endpoint) ? source.endpoint.length : source.endpoint))
    throw new ConfigError(`${named}: endpoint is required`);
  validateEndpoints(named, source);
  if (
    source.kind === 'grpc' &&
    source.connectTimeoutMs !== undefined &&
    !(Number.isFinite(source.connectTimeoutMs) && source.connectTimeoutMs > 0)
  ) {
    throw new ConfigError(`${named}: connectTimeoutMs must be a positive number`);
  }
  if (source.timeoutMs !== undefined && !(Number.isFinite(source.timeoutMs) && source.timeoutMs > 0)) {
    throw new ConfigError(`${named}: timeoutMs must be a positive number`);
  }
  if (
    source.maxResponseBytes !== undefined &&
    !(Number.isSafeInteger(source.maxResponseBytes) && source.maxResponseBytes > 0)
  ) {
    throw new ConfigError(`${named}: maxResponseBytes must be a positive integer (bytes)`);
  }
  validateUpstreamPolicyOptions(named, source.upstream, source.kind === 'grpc' ? 'address' : 'url');
  return resolvePaths(configDir, source);
}

/** grpc-js targets: host:port (IPv6 in brackets), optionally grpc:// or dns:, or a unix: socket. */
const GRPC_TARGET = /^(?:grpc:\/\/|dns:(?:\/\/\/)?)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/;

function endpointFault(kind: SourceOptions['kind'], endpoint: unknown): string | undefined {
  if (typeof endpoint !== 'string' || endpoint === '') return 'must be a non-empty string';
  if (kind === 'grpc') {
    if (endpoint.startsWith('unix:')) return undefined;
    const port = GRPC_TARGET.exec(endpoint)?.[1];
    return port && Number(port) >= 1 && Number(port) <= 65535 ? undefined : 'must be host:port (e.g. 127.0.0.1:50051)';
  }
  try {
    const { protocol } = new URL(endpoint);
    return protocol === 'http:' || protocol === 'https:' ? undefined : `must be an http(s) URL, not ${protocol}`;
  } catch {
    return 'is not a URL (e.g. http://127.0.0.1:8080)';
  }
}

/** A bad endpoint fails here, not as ERR_INVALID_URL on every request of a gateway /readyz calls ready. */
function validateEndpoints(named: string, source: SourceOptions): void {
  if (source.endpoint === undefined) return;
  const endpoints = Array.isArray(source.endpoint) ? source.endpoint : [source.endpoint];
  if (endpoints.length === 0) throw new ConfigError(`${named}: endpoint must not be an empty list`);
  for (const endpoint of endpoints) {
    const fault = endpointFault(source.kind, endpoint);
    if (fault) throw new ConfigError(`${named}: endpoint ${JSON.stringify(endpoint)} ${fault}`);
  }
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

/** A deadline that waits longer than this is no deadline: a stalled Redis would still stall every request. */
const MAX_REDIS_TIMEOUT_MS = 60_000;

function validateRedisOptions(file: string, raw: LoomConfig['redis']): Required<RedisOptions> | undefined {
  // Unset, or an empty environment variable (`redis: process.env.LOOM_REDIS_URL`): in memory.
  if (!raw) return undefined;
  const options: RedisOptions = typeof raw === 'string' ? { url: raw } : raw;
  if (!options || typeof options !== 'object')
    throw new ConfigError(`${file}: redis must be a URL or an object with a url`);
  if (typeof options.url !== 'string' || options.url === '')
    throw new ConfigError(`${file}: redis: url must be a non-empty string`);
  const resolved = {
    url: options.url,
    commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
    readinessTimeoutMs: options.readinessTimeoutMs ?? DEFAULT_REDIS_READINESS_TIMEOUT_MS,
  };
  for (const name of ['commandTimeoutMs', 'readinessTimeoutMs'] as const) {
    const value = resolved[name];
    if (!Number.isInteger(value) || value < 1 || value > MAX_REDIS_TIMEOUT_MS) {
      throw new ConfigError(
        `${file}: redis: ${name} must be an integer from 1 to ${MAX_REDIS_TIMEOUT_MS} (ms), got ${JSON.stringify(value)}`,
      );
    }
  }
  return resolved;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Default of `shutdownTimeoutMs`: below Kubernetes' 30 s grace period. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;

/** Runs one check; a ConfigError becomes a line of `problems` so every fault is reported at once. */
function collect<T>(problems: string[], check: () => T): T | undefined {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.message.split('\n'));
    return undefined;
  }
}

function unknownKeyProblems(file: string, config: LoomConfig): string[] {
  const problems = findUnknownKeys(config, TOP_LEVEL_KEYS).map((line) => `${file}: ${line}`);
  if (Array.isArray(config.sources)) {
    config.sources.forEach((source: Partial<SourceOptions> | undefined, index) => {
      const shape = source && SOURCE_KEYS[source.kind as SourceOptions['kind']];
      const where = typeof source?.name === 'string' ? `source "${source.name}"` : `sources[${index}]`;
      if (shape) problems.push(...findUnknownKeys(source, shape).map((line) => `${file}: ${where}: ${line}`));
    });
  }
  if (Array.isArray(config.links)) {
    config.links.forEach((link, index) => {
      const where = typeof link?.field === 'string' ? `link "${link.field}"` : `links[${index}]`;
      problems.push(...findUnknownKeys(link, LINK_KEYS).map((line) => `${file}: ${where}: ${line}`));
    });
  }
  return problems;
}

function validateBffs(file: string, configDir: string, raw: LoomConfig['bffs']): Record<string, string> {
  if (!raw || typeof raw !== 'object' || Object.keys(raw).length === 0) {
    throw new ConfigError(`${file}: bffs must name at least one BFF file`);
  }
  const problems: string[] = [];
  const bffs: Record<string, string> = {};
  for (const [name, location] of Object.entries(raw)) {
    collect(problems, () => {
      if (!BFF_NAME.test(name)) throw new ConfigError(`${file}: bff "${name}": name must match ${BFF_NAME}`);
      const resolved = resolveLocation(configDir, location);
      if (!existsSync(resolved)) throw new ConfigError(`${file}: bff "${name}": file ${location} not found`);
      bffs[name] = resolved;
    });
  }
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
  return bffs;
}

function validateCompression(file: string, raw: LoomConfig['compression']): ResolvedCompression | undefined {
  if (raw === undefined || raw === false) return undefined;
  if (raw !== true && (typeof raw !== 'object' || raw === null))
    throw new ConfigError(`${file}: compression must be true, false or an object`);
  try {
    return resolveCompression(raw === true ? {} : raw);
  } catch (error) {
    throw new ConfigError(`${file}: compression: ${(error as Error).message.replace(/^useCompression: /, '')}`);
  }
}

function validateAdmin(file: string, config: LoomConfig): Required<AdminOptions> | undefined {
  const admin = config.admin;
  if (admin === undefined) return undefined;
  if (typeof admin !== 'object' || admin === null)
    throw new ConfigError(`${file}: admin must be an object with a port`);
  const { port, host = '127.0.0.1' } = admin;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`${file}: admin.port must be an integer from 0 to 65535, got ${JSON.stringify(port)}`);
  if (typeof host !== 'string' || host === '') throw new ConfigError(`${file}: admin.host must be a non-empty string`);
  if (port !== 0 && port === (config.port ?? 4000) && host === (config.host ?? '127.0.0.1'))
    throw new ConfigError(`${file}: admin.port must differ from port (${port})`);
  return { port, host };
}

function validateServeOptions(file: string, config: LoomConfig): void {
  const port = config.port ?? 4000;
  // String(): `Number(process.env.PORT)` of a typo is NaN, which JSON.stringify would print as null.
  const shown = typeof config.port === 'number' ? String(config.port) : JSON.stringify(config.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`${file}: port must be an integer from 0 to 65535, got ${shown}`);
  const shutdown = config.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  if (!Number.isInteger(shutdown) || shutdown < 0)
    throw new ConfigError(
      `${file}: shutdownTimeoutMs must be an integer >= 0 (ms), got ${JSON.stringify(config.shutdownTimeoutMs)}`,
    );
}

/** The default schema cache folder: per user, so a shared /tmp never mixes (or poisons) two users' caches. */
export function defaultSchemaCacheDirectory(): string {
  return join(tmpdir(), `loom-schema-cache-${process.getuid?.() ?? 'user'}`);
}

function validateSchemaCache(
  file: string,
  configDir: string,
  raw: LoomConfig['schemaCache'],
  env: NodeJS.ProcessEnv,
): ResolvedConfig['schemaCache'] {
  const fromEnv = env.LOOM_SCHEMA_CACHE;
  if (fromEnv === 'off') return false;
  if (fromEnv) return { directory: resolve(configDir, fromEnv) };
  if (raw === false) return false;
  if (raw === undefined) return { directory: defaultSchemaCacheDirectory() };
  if (typeof raw !== 'object' || raw === null)
    throw new ConfigError(`${file}: schemaCache must be false or an object with a directory`);
  if (raw.directory !== undefined && (typeof raw.directory !== 'string' || raw.directory === ''))
    throw new ConfigError(`${file}: schemaCache.directory must be a non-empty string`);
  return { directory: raw.directory ? resolve(configDir, raw.directory) : defaultSchemaCacheDirectory() };
}

/**
 * Validates a config once, at the edge. Every fault is reported at once, one
 * line each, naming the file, the source and the fault; unknown keys get a
 * "did you mean". The result has absolute paths and is frozen.
 */
export function validateConfig(raw: unknown, file: string, configDir: string): ResolvedConfig {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(`${file}: the config must export an object (use defineConfig)`);
  const config = raw as LoomConfig;
  const problems = unknownKeyProblems(file, config);
  const seen = new Set<string>();
  const sources = collect(problems, () => {
    if (!Array.isArray(config.sources) || config.sources.length === 0)
      throw new ConfigError(`${file}: sources must be a non-empty list`);
    const valid = config.sources.map((source) =>
      collect(problems, () => validateSource(file, configDir, source, seen)),
    );
    return valid.filter((source): source is SourceOptions => source !== undefined);
  });
  const bffs = collect(problems, () => validateBffs(file, configDir, config.bffs));
  const redis = collect(problems, () => validateRedisOptions(file, config.redis));
  const observability = collect(problems, () => validateObservabilityOptions(file, config.observability));
  const compression = collect(problems, () => validateCompression(file, config.compression));
  const admin = collect(problems, () => validateAdmin(file, config));
  const schemaCache = collect(problems, () => validateSchemaCache(file, configDir, config.schemaCache, process.env));
  collect(problems, () => validateServeOptions(file, config));
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
  return deepFreeze({
    file,
    configDir,
    sources: sources!,
    links: config.links ?? [],
    bffs: bffs!,
    redis,
    port: config.port ?? 4000,
    host: config.host ?? '127.0.0.1',
    server: validateHttpServerLimits(file, config.server),
    production: config.production ?? process.env.NODE_ENV === 'production',
    schemaDir: resolveLocation(configDir, config.schemaDir ?? './schema'),
    observability,
    shutdownTimeoutMs: config.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
    compression,
    admin,
    schemaCache: schemaCache ?? false,
  });
}
