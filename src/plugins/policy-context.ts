import type { GraphQLSchema } from 'graphql';
import type { RedisClient } from '../core/redis-client';
import type { Registry } from 'prom-client';
import type { Logger } from '../core/logger';
import type { ApiKeyStore } from './stores/api-key-store';
import type { RateLimitStore } from './stores/rate-limit-store';

/** Everything a policy factory may need from the gateway, given once per BFF at start-up. */
export interface PolicyContext {
  readonly bffName: string;
  /** This BFF's schema (the trimmed view). */
  readonly schema: GraphQLSchema;
  readonly production: boolean;
  readonly logger: Logger;
  /** Shared Redis connection, when the config names one. */
  readonly redis?: RedisClient;
  /** Key prefix for anything this BFF stores in Redis. */
  readonly redisKeyPrefix: string;
  /** Deadline of each Redis operation, in ms (config `redis.commandTimeoutMs`). @default 100 */
  readonly redisCommandTimeoutMs?: number;
  /** Deadline of a Redis readiness probe, in ms (config `redis.readinessTimeoutMs`). @default 500 */
  readonly redisReadinessTimeoutMs?: number;
  /** Keys issued in the developer portal (Redis when configured, else memory), read by useAuth's `apiKey.issued`. */
  readonly apiKeyStore?: ApiKeyStore;
  /**
   * The rate limiter's in-memory buckets when there is no Redis, shared by
   * every BFF and reload so the portal can show a key's usage. @default each useRateLimit's own
   */
  readonly memoryRateLimitStore?: RateLimitStore;
  /** The gateway's Prometheus registry. */
  readonly metrics: Registry;
  /** Register a check that /readyz runs. */
  addReadinessCheck(name: string, check: () => Promise<boolean> | boolean): void;
}
