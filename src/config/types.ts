import { z } from 'zod';
import { flag, integerAtLeast, integerBetween, nonEmptyString, strictObject } from '../core/options-schema';
import { sourceOptionsSchema, type SourceOptions } from '../handlers/source-options';
import { linkConfigSchema } from '../compose/link-config';
import { observabilityOptionsSchema, type ObservabilityOptions } from '../observability/observability-options';
import { httpServerLimitsSchema, type ResolvedHttpServerLimits } from './http-server-limits';
import { tlsOptionsSchema, type ResolvedTls } from './tls-options';
import {
  compressionOptionsSchema,
  type CompressionOptions,
  type ResolvedCompression,
} from '../plugins/http/use-compression';

export type { CompressionOptions };

export type { SourceOptions };

/** A deadline that waits longer than this is no deadline: a stalled Redis would still stall every request. */
const MAX_REDIS_TIMEOUT_MS = 60_000;

/** A password: refused without ever quoting it in the error. */
const secretString = () =>
  z
    .custom<string>(() => true)
    .superRefine((value, context) => {
      if (typeof value !== 'string' || value === '')
        context.addIssue({ code: 'custom', message: 'must be a non-empty string', params: { hideValue: true } });
    });

/** One Redis node or Sentinel: `{ host: '10.0.0.1', port: 6379 }`. */
const redisNodeSchema = strictObject({
  host: nonEmptyString('must be a host name or address'),
  port: integerBetween(1, 65535),
});
const redisNodeList = (what: string) =>
  z
    .array(redisNodeSchema, { error: `must be a non-empty list of ${what} ({ host, port })` })
    .min(1, { error: `must be a non-empty list of ${what} ({ host, port })` });

/** A Redis Cluster: the nodes to start from (any few of its masters or replicas; the rest are discovered). */
export const redisClusterSchema = strictObject({
  /** Seed nodes, e.g. `[{ host: '10.0.0.1', port: 6379 }, { host: '10.0.0.2', port: 6379 }]`. */
  nodes: redisNodeList('cluster nodes'),
  /** ACL user name of every node. */
  username: nonEmptyString().optional(),
  /** Password of every node. */
  password: secretString().optional(),
});

/** Where a Sentinel-only option goes for the other shapes. */
function sentinelOnlyHint(key: string, cluster: boolean): string {
  if (key === 'password') return cluster ? ' (a cluster takes cluster.password)' : ' (put it in the URL)';
  return key === 'db' && !cluster ? ' (put it in the URL)' : '';
}

/**
 * The shared Redis and how long its users wait for it. Exactly one of `url`
 * (one server), `sentinels` + `name` (a Sentinel-managed master) or `cluster`.
 */
export const redisOptionsSchema = strictObject({
  /** Redis URL, e.g. `redis://127.0.0.1:6379` (credentials and db in the URL). */
  url: nonEmptyString().optional(),
  /** Sentinels to ask where the master is, e.g. `[{ host: '10.0.0.1', port: 26379 }]`; needs `name`. */
  sentinels: redisNodeList('sentinels').optional(),
  /** The master's name in the Sentinels' config (`sentinel monitor <name> ...`). Only with `sentinels`. */
  name: nonEmptyString().optional(),
  /** Password of the master and replicas. Only with `sentinels`. */
  password: secretString().optional(),
  /** Password of the Sentinels themselves. Only with `sentinels`. */
  sentinelPassword: secretString().optional(),
  /** Database number. Only with `sentinels`. @default 0 */
  db: integerBetween(0, 15).optional(),
  /** A Redis Cluster (ioredis Cluster): rate-limit buckets and cache entries are hash-tagged per BFF. */
  cluster: redisClusterSchema.optional(),
  /**
   * Deadline of each Redis operation of a policy (a rate-limit charge, a cache
   * read or write), in ms. Past it Redis counts as down: the rate limit applies
   * its `failMode`, the cache misses. @default 100
   */
  commandTimeoutMs: integerBetween(1, MAX_REDIS_TIMEOUT_MS, ' (ms)').optional(),
  /** Deadline of the Redis readiness probes (PING) behind /readyz, in ms. @default 500 */
  readinessTimeoutMs: integerBetween(1, MAX_REDIS_TIMEOUT_MS, ' (ms)').optional(),
  /**
   * Prefix of every Redis key Loom writes (`<prefix><bff>:rl:...`, `<prefix>keys:...`):
   * several gateways (or test runs) can share one Redis apart. @default 'loom:'
   */
  keyPrefix: z
    .string({ error: 'must be a string' })
    .regex(/^[\w.:-]{1,64}$/, { error: 'must be 1-64 letters, digits, _ . : -' })
    .optional(),
}).superRefine((options, context) => {
  const shapes = (['url', 'sentinels', 'cluster'] as const).filter((key) => options[key] !== undefined);
  if (shapes.length !== 1) {
    context.addIssue({
      code: 'custom',
      message:
        shapes.length === 0
          ? 'needs one of url (one server), sentinels + name (Sentinel) or cluster (Redis Cluster)'
          : `takes one of url, sentinels or cluster, got ${shapes.join(' and ')}`,
      params: { hideValue: true },
    });
    return;
  }
  if (options.sentinels && options.name === undefined)
    context.addIssue({
      code: 'custom',
      message: 'is required with sentinels (the master name)',
      path: ['name'],
      params: { hideValue: true },
    });
  if (!options.sentinels)
    for (const key of ['name', 'password', 'sentinelPassword', 'db'] as const)
      if (options[key] !== undefined)
        context.addIssue({
          code: 'custom',
          message: `applies only with sentinels${sentinelOnlyHint(key, options.cluster !== undefined)}`,
          path: [key],
          params: { hideValue: true },
        });
});
export type RedisOptions = z.input<typeof redisOptionsSchema>;

/** How to reach Redis, resolved: one server, a Sentinel-managed master or a cluster. */
export type RedisConnectionOptions =
  | { readonly url: string }
  | {
      readonly sentinels: ReadonlyArray<{ readonly host: string; readonly port: number }>;
      readonly name: string;
      readonly password?: string;
      readonly sentinelPassword?: string;
      readonly db?: number;
    }
  | { readonly cluster: z.output<typeof redisClusterSchema> };

/** The redis option after validation: where it is, and the deadlines (defaults applied). */
export type ResolvedRedisOptions = RedisConnectionOptions & {
  readonly commandTimeoutMs: number;
  readonly readinessTimeoutMs: number;
  readonly keyPrefix: string;
};

const port = () => integerBetween(0, 65535);

/** A second listener for operators: /metrics and the detailed /readyz, kept off the client port. */
export const adminOptionsSchema = strictObject({
  /** Port of the admin listener (0: any free port). */
  port: port(),
  /** Host the admin listener binds. @default '127.0.0.1' */
  host: nonEmptyString().optional(),
});
export type AdminOptions = z.input<typeof adminOptionsSchema>;

/** The developer portal's key self-service (README: Developer portal, API keys). */
export const portalOptionsSchema = strictObject({
  /**
   * Bearer token of the portal's admin view: every issued key of every owner,
   * issue for anyone, revoke any. On the admin port when one is configured.
   * At least 32 characters; read it from the environment. @default none (no admin view)
   */
  adminToken: z
    .string({ error: 'must be a string' })
    .min(32, { error: 'must be at least 32 characters' })
    .max(512, { error: 'must be at most 512 characters' })
    .optional(),
});
export type PortalOptions = z.input<typeof portalOptionsSchema>;

/** Where generated source schemas are kept between starts (see `schemaCache`). */
export const schemaCacheOptionsSchema = strictObject({
  /** Folder of the cache files (relative paths resolve against the config's folder). */
  directory: nonEmptyString().optional(),
});
export type SchemaCacheOptions = z.input<typeof schemaCacheOptionsSchema>;

/**
 * The whole config, composed from each layer's own schema (sources from
 * src/handlers, links from src/compose, upstream policies from src/upstream,
 * compression from src/plugins). `LoomConfig` is its input type, so
 * `defineConfig` and the validation cannot drift.
 */
export const loomConfigSchema = strictObject({
  /** Upstream sources; each becomes a subschema. */
  sources: z
    .array(sourceOptionsSchema, { error: 'must be a non-empty list' })
    .min(1, { error: 'must be a non-empty list' }),
  /** Fields that cross sources, resolved through batched lookups. */
  links: z.array(linkConfigSchema, { error: 'must be a list' }).optional(),
  /** BFF name -> BFF file (relative to the config). Each is served at `/<name>/graphql`. */
  bffs: z.record(z.string(), nonEmptyString('must be a file path'), {
    error: 'must name at least one BFF file',
  }),
  /** Redis for shared state (rate limits, cache): a URL or options. In memory when unset (or an empty string). */
  redis: z.union([z.string({ error: 'must be a URL' }), redisOptionsSchema]).optional(),
  /** Port `loom serve` listens on. @default 4000 */
  port: port().optional(),
  /** Host `loom serve` binds. @default '127.0.0.1' */
  host: nonEmptyString().optional(),
  /** Client connection limits: header and request timeouts, most open connections (see HttpServerLimits). */
  server: httpServerLimitsSchema.optional(),
  /** Production mode: masked errors, no suggestions. @default NODE_ENV === 'production' */
  production: flag().optional(),
  /** Directory that holds schema snapshots. @default './schema' */
  schemaDir: nonEmptyString().optional(),
  /** Tracing (sample ratio, service name); exporter from LOOM_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT. */
  observability: observabilityOptionsSchema.optional(),
  /**
   * On SIGTERM/SIGINT, how long in-flight requests may run before `loom serve`
   * closes their connections and exits 1. Keep it below the orchestrator's
   * grace period (Kubernetes: 30 s). @default 25000
   */
  shutdownTimeoutMs: integerAtLeast(0, ' (ms)').optional(),
  /**
   * Response compression (gzip, br) by Accept-Encoding, above `minBytes`,
   * never for SSE or multipart streams. `true` for the defaults. @default false
   */
  compression: z.union([flag(), compressionOptionsSchema]).optional(),
  /**
   * Admin listener. When set, /metrics and the /readyz with sources, checks
   * and upstream endpoints move there; the client port keeps /healthz and a
   * bare /readyz. @default none (everything on the client port)
   */
  admin: adminOptionsSchema.optional(),
  /** Developer portal: the admin token of key administration. */
  portal: portalOptionsSchema.optional(),
  /**
   * HTTPS on the client listener: PEM files, relative to the config. HTTP/2
   * and HTTP/1.1 are offered by ALPN. With `ca`, clients must present a
   * certificate from it (mutual TLS). The admin port stays plain HTTP.
   * @default none (plain HTTP)
   */
  tls: tlsOptionsSchema.optional(),
  /**
   * Generated source schemas (OpenAPI) kept on disk between starts, keyed by a
   * hash of the spec's files, the source options and Loom's version. `false`
   * turns it off; LOOM_SCHEMA_CACHE (`off` or a folder) overrides this key.
   * @default { directory: '<os tmpdir>/loom-schema-cache-<uid>' }
   */
  schemaCache: z
    .union([z.literal(false), schemaCacheOptionsSchema], { error: 'must be false or an object with a directory' })
    .optional(),
});

export type LoomConfig = z.input<typeof loomConfigSchema>;

/** A validated config: paths absolute, frozen, with the file it came from. */
export interface ResolvedConfig extends Readonly<
  Required<
    Pick<LoomConfig, 'sources' | 'bffs' | 'links' | 'port' | 'host' | 'production' | 'schemaDir' | 'shutdownTimeoutMs'>
  >
> {
  readonly redis?: ResolvedRedisOptions;
  readonly observability?: ObservabilityOptions;
  readonly server: ResolvedHttpServerLimits;
  /** Off when undefined. */
  readonly compression?: ResolvedCompression;
  readonly admin?: Readonly<Required<AdminOptions>>;
  readonly portal: Readonly<PortalOptions>;
  /** Off when undefined. */
  readonly tls?: ResolvedTls;
  /** Off when false. */
  readonly schemaCache: false | Readonly<Required<SchemaCacheOptions>>;
  /** The config file, or '<inline>' for configs built in code. */
  readonly file: string;
  readonly configDir: string;
}
