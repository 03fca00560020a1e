import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../core/errors';
import { isUrl } from '../handlers/spec-location';
import type { LoomConfig, RedisOptions, ResolvedConfig, SourceOptions } from './types';
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
    throw new ConfigError(`${named}: unknown kind ${JSON.stringify((source as { kind?: unknown }).kind)} (expected one of ${KNOWN_KINDS.join(', ')})`);
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
  if (source.kind === 'grpc' && !(Array.isArray(source.endpoint) ? source.endpoint.length : source.endpoint)) throw new ConfigError(`${named}: endpoint is required`);
  if (source.kind === 'grpc' && source.connectTimeoutMs !== undefined && !(Number.isFinite(source.connectTimeoutMs) && source.connectTimeoutMs > 0)) {
    throw new ConfigError(`${named}: connectTimeoutMs must be a positive number`);
  }
  if (source.timeoutMs !== undefined && !(Number.isFinite(source.timeoutMs) && source.timeoutMs > 0)) {
    throw new ConfigError(`${named}: timeoutMs must be a positive number`);
  }
  if (source.maxResponseBytes !== undefined && !(Number.isSafeInteger(source.maxResponseBytes) && source.maxResponseBytes > 0)) {
    throw new ConfigError(`${named}: maxResponseBytes must be a positive integer (bytes)`);
  }
  validateUpstreamPolicyOptions(named, source.upstream, source.kind === 'grpc' ? 'address' : 'url');
  return resolvePaths(configDir, source);
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
  if (!options || typeof options !== 'object') throw new ConfigError(`${file}: redis must be a URL or an object with a url`);
  if (typeof options.url !== 'string' || options.url === '') throw new ConfigError(`${file}: redis: url must be a non-empty string`);
  const resolved = {
    url: options.url,
    commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
    readinessTimeoutMs: options.readinessTimeoutMs ?? DEFAULT_REDIS_READINESS_TIMEOUT_MS,
  };
  for (const name of ['commandTimeoutMs', 'readinessTimeoutMs'] as const) {
    const value = resolved[name];
    if (!Number.isInteger(value) || value < 1 || value > MAX_REDIS_TIMEOUT_MS) {
      throw new ConfigError(`${file}: redis: ${name} must be an integer from 1 to ${MAX_REDIS_TIMEOUT_MS} (ms), got ${JSON.stringify(value)}`);
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

/**
 * Validates a config once, at the edge: every message names the file, the
 * source and the fault. The result has absolute paths and is frozen.
 */
export function validateConfig(raw: unknown, file: string, configDir: string): ResolvedConfig {
  if (!raw || typeof raw !== 'object') throw new ConfigError(`${file}: the config must export an object (use defineConfig)`);
  const config = raw as LoomConfig;
  if (!Array.isArray(config.sources) || config.sources.length === 0) {
    throw new ConfigError(`${file}: sources must be a non-empty list`);
  }
  const seen = new Set<string>();
  const sources = config.sources.map((source) => validateSource(file, configDir, source, seen));
  if (!config.bffs || typeof config.bffs !== 'object' || Object.keys(config.bffs).length === 0) {
    throw new ConfigError(`${file}: bffs must name at least one BFF file`);
  }
  const bffs: Record<string, string> = {};
  for (const [name, location] of Object.entries(config.bffs)) {
    if (!BFF_NAME.test(name)) throw new ConfigError(`${file}: bff "${name}": name must match ${BFF_NAME}`);
    const resolved = resolveLocation(configDir, location);
    if (!existsSync(resolved)) throw new ConfigError(`${file}: bff "${name}": file ${location} not found`);
    bffs[name] = resolved;
  }
  const port = config.port ?? 4000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`${file}: port must be 0..65535`);
  return deepFreeze({
    file,
    configDir,
    sources,
    links: config.links ?? [],
    bffs,
    redis: validateRedisOptions(file, config.redis),
    port,
    host: config.host ?? '127.0.0.1',
    server: validateHttpServerLimits(file, config.server),
    production: config.production ?? process.env.NODE_ENV === 'production',
    schemaDir: resolveLocation(configDir, config.schemaDir ?? './schema'),
    observability: validateObservabilityOptions(file, config.observability),
  });
}
