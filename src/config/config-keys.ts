import type { HttpServerLimits } from './http-server-limits';
import type { SourceKind } from '../core/source-kind';
import type { BaseSourceOptions, EntityMergeOptions, SourceRenameOptions } from '../handlers/types';
import type { OpenApiSourceOptions } from '../handlers/openapi/openapi-source-options';
import type { GrpcSourceOptions } from '../handlers/grpc/grpc-source-options';
import type { SoapSourceOptions } from '../handlers/soap/soap-source-options';
import type { GraphqlSourceOptions } from '../handlers/graphql/graphql-source-options';
import type { LinkConfig } from '../compose/link-config';
import type {
  CircuitBreakerOptions,
  OutlierDetectionOptions,
  RetryOptions,
  ShadowOptions,
  UpstreamPolicyOptions,
} from '../upstream/upstream-policy-options';
import type { ObservabilityOptions, TracingConfig } from '../observability/observability-options';
import type { AdminOptions, CompressionOptions, LoomConfig, RedisOptions, SchemaCacheOptions } from './types';

/**
 * The key set of every object in the config. `keysOf<T>()` takes exactly the
 * keys of T (the compiler rejects a missing or an extra one), so adding an
 * option to a type without adding it here fails `tsc`: the strict check and the
 * types cannot drift. Values are checked by the validators; this only catches
 * keys nobody reads (`endpiont`, `timeoutMS`, `link`).
 */
type Shape =
  | { readonly type: 'leaf' }
  | { readonly type: 'object'; readonly keys: Readonly<Record<string, Shape>> }
  | { readonly type: 'record'; readonly item: Shape };

const leaf: Shape = { type: 'leaf' };
const recordOf = (item: Shape): Shape => ({ type: 'record', item });
const keysOf = <T>(keys: { readonly [K in keyof Required<T>]: Shape }): Shape => ({ type: 'object', keys });

const upstreamKeys = keysOf<UpstreamPolicyOptions>({
  retry: keysOf<RetryOptions>({
    maxRetries: leaf,
    baseDelayMs: leaf,
    maxDelayMs: leaf,
    idempotentMethods: leaf,
    idempotentOperations: leaf,
    retryNonIdempotent: leaf,
    budgetRatio: leaf,
    budgetMinRetries: leaf,
    budgetWindowMs: leaf,
  }),
  circuitBreaker: keysOf<CircuitBreakerOptions>({
    failureRateThreshold: leaf,
    minimumCalls: leaf,
    windowMs: leaf,
    coolDownMs: leaf,
    halfOpenMaxCalls: leaf,
  }),
  outlierDetection: keysOf<OutlierDetectionOptions>({ consecutiveFailures: leaf, ejectionMs: leaf }),
  loadBalancing: leaf,
  backupEndpoint: leaf,
  shadow: keysOf<ShadowOptions>({ endpoint: leaf, ratio: leaf, timeoutMs: leaf }),
  maxConnections: leaf,
  operationTimeoutsMs: leaf,
  requestDeadlineMs: leaf,
  // FallbackOption is a union; `value` belongs to its 'static' member.
  fallbacks: recordOf(keysOf<{ kind: unknown; value?: unknown }>({ kind: leaf, value: leaf })),
});

const baseSourceKeys = {
  name: leaf,
  kind: leaf,
  endpoint: leaf,
  headers: leaf,
  forwardHeaders: leaf,
  timeoutMs: leaf,
  maxResponseBytes: leaf,
  propagateRequestId: leaf,
  upstream: upstreamKeys,
  rename: keysOf<SourceRenameOptions>({ typePrefix: leaf, rootFieldPrefix: leaf, types: leaf, rootFields: leaf }),
  merge: recordOf(keysOf<EntityMergeOptions>({ key: leaf, resolveWith: leaf, keyArgument: leaf, batch: leaf })),
} satisfies { readonly [K in keyof Required<BaseSourceOptions> | 'kind']: Shape };

const credentials = keysOf<{ username: string; password: string }>({ username: leaf, password: leaf });

/** Per kind; a source of an unknown kind gets only the kind error. */
export const SOURCE_KEYS: Readonly<Record<SourceKind, Shape>> = {
  openapi: keysOf<OpenApiSourceOptions>({ ...baseSourceKeys, spec: leaf, operations: leaf }),
  grpc: keysOf<GrpcSourceOptions>({
    ...baseSourceKeys,
    proto: leaf,
    includeDirs: leaf,
    services: leaf,
    methods: leaf,
    connectTimeoutMs: leaf,
    tls: keysOf<NonNullable<GrpcSourceOptions['tls']>>({ ca: leaf, cert: leaf, key: leaf }),
  }),
  soap: keysOf<SoapSourceOptions>({
    ...baseSourceKeys,
    wsdl: leaf,
    soapVersion: leaf,
    operations: leaf,
    auth: keysOf<NonNullable<SoapSourceOptions['auth']>>({
      wsSecurity: keysOf<NonNullable<NonNullable<SoapSourceOptions['auth']>['wsSecurity']>>({
        username: leaf,
        password: leaf,
        passwordType: leaf,
      }),
      basic: credentials,
    }),
  }),
  graphql: keysOf<GraphqlSourceOptions>({ ...baseSourceKeys, sdl: leaf }),
};

export const LINK_KEYS = keysOf<LinkConfig>({
  field: leaf,
  resolveWith: leaf,
  args: leaf,
  batch: leaf,
  batchWith: keysOf<NonNullable<LinkConfig['batchWith']>>({ field: leaf, keysArgument: leaf, keyField: leaf }),
});

/** Top level, without `sources` and `links`, which validate-config walks item by item to name each. */
export const TOP_LEVEL_KEYS = keysOf<LoomConfig>({
  sources: leaf,
  links: leaf,
  bffs: leaf,
  redis: keysOf<RedisOptions>({ url: leaf, commandTimeoutMs: leaf, readinessTimeoutMs: leaf }),
  port: leaf,
  host: leaf,
  production: leaf,
  schemaDir: leaf,
  observability: keysOf<ObservabilityOptions>({
    tracing: keysOf<TracingConfig>({ sampleRatio: leaf, serviceName: leaf }),
  }),
  shutdownTimeoutMs: leaf,
  compression: keysOf<CompressionOptions>({ minBytes: leaf, encodings: leaf }),
  admin: keysOf<AdminOptions>({ port: leaf, host: leaf }),
  server: keysOf<HttpServerLimits>({ headersTimeoutMs: leaf, requestTimeoutMs: leaf, maxConnections: leaf }),
  schemaCache: keysOf<SchemaCacheOptions>({ directory: leaf }),
});

/**
 * Names other gateways use for a Loom option, so a habit gets a useful hint
 * even when the spelling is far off (`attempts` for `maxRetries`).
 */
const SYNONYMS: Readonly<Record<string, string>> = {
  attempts: 'maxRetries',
  retries: 'maxRetries',
  timeout: 'timeoutMs',
  url: 'endpoint',
  endpoints: 'endpoint',
  uri: 'endpoint',
  schema: 'spec',
  link: 'links',
};

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The known key `key` was most likely meant to be, if one is close enough. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const closeEnough = (candidate: string) =>
    editDistance(lower, candidate.toLowerCase()) <= Math.max(1, Math.floor(Math.max(key.length, candidate.length) / 3));
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (closeEnough(candidate) && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  if (best) return best.key;
  const synonym = Object.keys(SYNONYMS).find((alias) => closeEnough(alias) && known.includes(SYNONYMS[alias]!));
  return synonym && SYNONYMS[synonym];
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * One line per key of `value` that `shape` does not know, e.g.
 * `unknown key "upstream.retry.attemps" (did you mean "upstream.retry.maxRetries"?)`.
 * Only plain objects are checked: a value of the wrong type is the validators' to report.
 */
export function findUnknownKeys(value: unknown, shape: Shape, path = ''): string[] {
  const at = (key: string) => (path ? `${path}.${key}` : key);
  if (shape.type === 'leaf') return [];
  if (!isPlainObject(value)) return [];
  if (shape.type === 'record')
    return Object.entries(value).flatMap(([key, item]) => findUnknownKeys(item, shape.item, at(key)));
  const known = Object.keys(shape.keys);
  return Object.entries(value).flatMap(([key, item]) => {
    const child = shape.keys[key];
    if (child) return findUnknownKeys(item, child, at(key));
    const suggestion = suggestKey(key, known);
    const hint = suggestion ? `did you mean "${at(suggestion)}"?` : `known keys: ${known.join(', ')}`;
    return [`unknown key "${at(key)}" (${hint})`];
  });
}
