import { Registry, collectDefaultMetrics } from 'prom-client';
import { composeGateway } from '../compose/compose-gateway';
import { createSchemaCache } from '../handlers/schema-cache/schema-cache';
import { createBffApp, type BffApp, type CreateBffAppOptions } from '../bff/create-bff-app';
import { loadBffDefinition } from '../bff/load-bff-definition';
import { parseVersioning } from '../bff/versions/parse-versioning';
import { createVersionedBffApp, everyBffApp } from '../bff/versions/create-versioned-bff-app';
import type { ResolvedConfig } from '../config/types';
import { createSilentLogger, type Logger } from '../core/logger';
import { createGatewayFetch } from './gateway-routes';
import { createRedisClient } from './create-redis-client';
import type { RedisClient } from '../core/redis-client';
import { createMemoryApiKeyStore, type ApiKeyStore } from '../plugins/stores/api-key-store';
import { createRedisApiKeyStore } from '../plugins/stores/redis-api-key-store';
import { createMemoryRateLimitStore } from '../plugins/stores/memory-rate-limit-store';
import type { RateLimitStore } from '../plugins/stores/rate-limit-store';
import type { GatewayParts, ReadinessCheck, ReloadStatus } from './gateway-parts';

export type { GatewayParts, ReadinessCheck };

/** A gateway held for one request: the request finishes on it even if a reload swaps another in. */
export interface PinnedGateway {
  readonly gateway: Gateway;
  /** The request is done (its answer sent or abandoned). */
  release(): void;
}

/** A running gateway: its parts, and its whole HTTP surface as one Fetch handler (no socket needed). */
export interface Gateway extends GatewayParts {
  /** Answers any request of the HTTP surface: /<bff>/graphql, /healthz, /readyz, /metrics, /. */
  fetch(request: Request): Promise<Response>;
  /**
   * The admin surface (/healthz, detailed /readyz, /metrics) that `admin.port`
   * serves. With no admin port configured, `fetch` serves it too.
   */
  adminFetch(request: Request): Promise<Response>;
  /** True once `startDraining()` ran: /readyz answers 503 so load balancers stop sending traffic. */
  readonly draining: boolean;
  /** Shutdown has begun; requests still in flight are served, open subscriptions complete. */
  startDraining(): void;
  close(): Promise<void>;
  /** Holds the generation serving now for one request (reloadable gateways); otherwise requests use this one. */
  pin?(): PinnedGateway;
}

export interface CreateGatewayOptions {
  config: ResolvedConfig;
  logger?: Logger;
  /**
   * What /metrics answers. @default this process's registry; a worker of
   * `loom serve --workers` asks the primary for every worker's, summed.
   */
  metricsText?: () => Promise<string>;
  /** Epoch ms now, for BFF versions' deprecation and sunset (tests move it instead of waiting). @default Date.now */
  now?: () => number;
  /**
   * A registry to put the metrics in, shared across reloads so counters carry
   * on. @default a new one, with the process metrics
   */
  metrics?: Registry;
  /** Hot reload's state, for /readyz. */
  reloadStatus?: () => ReloadStatus;
  /**
   * In-memory state that must outlive a reload (issued API keys, rate-limit
   * buckets) when there is no Redis. @default new for this gateway
   */
  memoryState?: GatewayMemoryState;
}

/** What a gateway without Redis keeps in memory; `loom serve` makes one and hands it to every generation. */
export interface GatewayMemoryState {
  readonly apiKeys: ApiKeyStore;
  readonly rateLimits: RateLimitStore;
}

export function createGatewayMemoryState(): GatewayMemoryState {
  return { apiKeys: createMemoryApiKeyStore(), rateLimits: createMemoryRateLimitStore() };
}

/** A registry with the process metrics (CPU, memory, event loop). */
export function createProcessRegistry(): Registry {
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  return metrics;
}

/** Issued keys are gateway-wide (each record names its BFF); in Redis, every instance reads the same ones. */
function sharedStores(config: ResolvedConfig, redis: RedisClient | undefined, memoryState: GatewayMemoryState) {
  if (!redis) return { apiKeyStore: memoryState.apiKeys, memoryRateLimitStore: memoryState.rateLimits };
  const apiKeyStore = createRedisApiKeyStore(redis, {
    prefix: `${config.redis?.keyPrefix ?? 'loom:'}keys:`,
    commandTimeoutMs: config.redis?.commandTimeoutMs,
  });
  return { apiKeyStore, memoryRateLimitStore: undefined };
}

interface BffAppsInput {
  config: ResolvedConfig;
  composed: Awaited<ReturnType<typeof composeGateway>>;
  redis: RedisClient | undefined;
  logger: Logger;
  metrics: Registry;
  now: (() => number) | undefined;
  readinessChecks: ReadinessCheck[];
  shutdown: AbortController;
  stores: ReturnType<typeof sharedStores>;
}

/** One app per BFF file (a versioned BFF: one per version), each with its policies' view of the gateway. */
function createBffApps({
  config,
  composed,
  redis,
  logger,
  metrics,
  now,
  readinessChecks,
  shutdown,
  stores,
}: BffAppsInput): Map<string, BffApp> {
  const bffs = new Map<string, BffApp>();
  for (const [name, file] of Object.entries(config.bffs)) {
    const definition = loadBffDefinition(name, file);
    const versioning = parseVersioning(name, definition);
    const appOptions: CreateBffAppOptions = {
      name,
      definition,
      gatewaySchema: composed.schema,
      directRouter: composed.directRouter,
      compression: config.compression,
      shutdownSignal: shutdown.signal,
      policyContext: {
        production: config.production,
        logger: logger.child({ bff: name }),
        redis,
        redisKeyPrefix: `${config.redis?.keyPrefix ?? 'loom:'}${name}:`,
        redisCommandTimeoutMs: config.redis?.commandTimeoutMs,
        redisReadinessTimeoutMs: config.redis?.readinessTimeoutMs,
        ...stores,
        metrics,
        addReadinessCheck: (checkName, check) => readinessChecks.push({ name: `${name}:${checkName}`, check }),
      },
    };
    bffs.set(name, versioning ? createVersionedBffApp({ ...appOptions, versioning, now }) : createBffApp(appOptions));
  }
  return bffs;
}

export async function createGateway({
  config,
  logger = createSilentLogger(),
  metricsText,
  now,
  metrics = createProcessRegistry(),
  reloadStatus,
  memoryState = createGatewayMemoryState(),
}: CreateGatewayOptions): Promise<Gateway> {
  // Before the sources load: upstream OAuth2 tokens are shared through it.
  const schemaCache = config.schemaCache ? createSchemaCache({ ...config.schemaCache, logger }) : undefined;
  const redis = config.redis ? createRedisClient(config.redis, logger) : undefined;
  let composed;
  try {
    composed = await composeGateway(config, { logger, metrics, redis, schemaCache });
  } catch (error) {
    redis?.disconnect();
    throw error;
  }
  const stores = sharedStores(config, redis, memoryState);
  const readinessChecks: ReadinessCheck[] = [];
  if (redis) readinessChecks.push({ name: 'redis', check: () => redis.status === 'ready' });
  const shutdown = new AbortController();
  let bffs: Map<string, BffApp>;
  try {
    bffs = createBffApps({ config, composed, redis, logger, metrics, now, readinessChecks, shutdown, stores });
  } catch (error) {
    await composed.close();
    redis?.disconnect();
    throw error;
  }
  const parts: GatewayParts = {
    config,
    composed,
    bffs,
    metrics,
    metricsText: metricsText ?? (() => metrics.metrics()),
    logger,
    redis,
    readinessChecks,
    reloadStatus,
    ...stores,
  };
  let draining = false;
  return {
    ...parts,
    fetch: createGatewayFetch(parts, () => draining, config.admin ? 'public' : 'all'),
    adminFetch: createGatewayFetch(parts, () => draining, 'admin'),
    get draining() {
      return draining;
    },
    startDraining: () => {
      draining = true;
      // Open subscriptions complete now rather than at the shutdown deadline.
      shutdown.abort();
    },
    close: async () => {
      await Promise.allSettled(everyBffApp(bffs.values()).map((app) => app.yoga.dispose?.()));
      await composed.close();
      redis?.disconnect();
    },
  };
}
