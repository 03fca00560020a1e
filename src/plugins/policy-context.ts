import type { GraphQLSchema } from 'graphql';
import type { RedisClient } from '../core/redis-client';
import type { Registry } from 'prom-client';
import type { Logger } from '../core/logger';

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
  /** The gateway's Prometheus registry. */
  readonly metrics: Registry;
  /** Register a check that /readyz runs. */
  addReadinessCheck(name: string, check: () => Promise<boolean> | boolean): void;
}
