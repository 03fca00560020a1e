import type { SourceOptions } from '../handlers/source-options';
import type { LinkConfig } from '../compose/link-config';
import type { ObservabilityOptions } from '../observability/observability-options';
import type { HttpServerLimits, ResolvedHttpServerLimits } from './http-server-limits';
import type { CompressionOptions, ResolvedCompression } from '../plugins/http/use-compression';

export type { CompressionOptions };

export type { SourceOptions };

/** A second listener for operators: /metrics and the detailed /readyz, kept off the client port. */
export interface AdminOptions {
  /** Port of the admin listener (0: any free port). */
  port: number;
  /** Host the admin listener binds. @default '127.0.0.1' */
  host?: string;
}

/** The shared Redis and how long its users wait for it. */
export interface RedisOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379`. */
  url: string;
  /**
   * Deadline of each Redis operation of a policy (a rate-limit charge, a cache
   * read or write), in ms. Past it Redis counts as down: the rate limit applies
   * its `failMode`, the cache misses. @default 100
   */
  commandTimeoutMs?: number;
  /** Deadline of the Redis readiness probes (PING) behind /readyz, in ms. @default 500 */
  readinessTimeoutMs?: number;
}

export interface LoomConfig {
  /** Upstream sources; each becomes a subschema. */
  sources: SourceOptions[];
  /** Fields that cross sources, resolved through batched lookups. */
  links?: LinkConfig[];
  /** BFF name -> BFF file (relative to the config). Each is served at `/<name>/graphql`. */
  bffs: Record<string, string>;
  /** Redis for shared state (rate limits, cache): a URL or options. In memory when unset. */
  redis?: string | RedisOptions;
  /** Port `loom serve` listens on. @default 4000 */
  port?: number;
  /** Host `loom serve` binds. @default '127.0.0.1' */
  host?: string;
  /** Client connection limits: header and request timeouts, most open connections (see HttpServerLimits). */
  server?: HttpServerLimits;
  /** Production mode: masked errors, no suggestions. @default NODE_ENV === 'production' */
  production?: boolean;
  /** Directory that holds schema snapshots. @default './schema' */
  schemaDir?: string;
  /** Tracing (sample ratio, service name); exporter from LOOM_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT. */
  observability?: ObservabilityOptions;
  /**
   * On SIGTERM/SIGINT, how long in-flight requests may run before `loom serve`
   * closes their connections and exits 1. Keep it below the orchestrator's
   * grace period (Kubernetes: 30 s). @default 25000
   */
  shutdownTimeoutMs?: number;
  /**
   * Response compression (gzip, br) by Accept-Encoding, above `minBytes`,
   * never for SSE or multipart streams. `true` for the defaults. @default false
   */
  compression?: boolean | CompressionOptions;
  /**
   * Admin listener. When set, /metrics and the /readyz with sources, checks
   * and upstream endpoints move there; the client port keeps /healthz and a
   * bare /readyz. @default none (everything on the client port)
   */
  admin?: AdminOptions;
  /**
   * Generated source schemas (OpenAPI) kept on disk between starts, keyed by a
   * hash of the spec's files, the source options and Loom's version. `false`
   * turns it off; LOOM_SCHEMA_CACHE (`off` or a folder) overrides this key.
   * @default { directory: '<os tmpdir>/loom-schema-cache-<uid>' }
   */
  schemaCache?: false | SchemaCacheOptions;
}

export interface SchemaCacheOptions {
  /** Folder of the cache files (relative paths resolve against the config's folder). */
  directory?: string;
}

/** A validated config: paths absolute, frozen, with the file it came from. */
export interface ResolvedConfig extends Readonly<
  Required<
    Pick<LoomConfig, 'sources' | 'bffs' | 'links' | 'port' | 'host' | 'production' | 'schemaDir' | 'shutdownTimeoutMs'>
  >
> {
  readonly redis?: Readonly<Required<RedisOptions>>;
  readonly observability?: ObservabilityOptions;
  readonly server: ResolvedHttpServerLimits;
  /** Off when undefined. */
  readonly compression?: ResolvedCompression;
  readonly admin?: Readonly<Required<AdminOptions>>;
  /** Off when false. */
  readonly schemaCache: false | Readonly<Required<SchemaCacheOptions>>;
  /** The config file, or '<inline>' for configs built in code. */
  readonly file: string;
  readonly configDir: string;
}
