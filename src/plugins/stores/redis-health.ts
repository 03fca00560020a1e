import type { Registry } from 'prom-client';
import type { Logger } from '../../core/logger';
import { probeRedis, type RedisClient } from '../../core/redis-client';
import { getOrCreateGauge } from '../../observability/get-or-create-metric';
import { withRedisDeadline } from './with-redis-deadline';

/** Deadline of a readiness probe's PING, in ms: /readyz must answer before the orchestrator gives up on it. */
export const DEFAULT_REDIS_READINESS_TIMEOUT_MS = 500;

export interface RedisHealthOptions {
  /** For the readiness probe: a PING, or on a cluster CLUSTER INFO on every master (`probeRedis`). */
  redis: RedisClient | { ping(): Promise<unknown> };
  bffName: string;
  /** Who uses Redis, for log lines: `rate-limit`, `response-cache`. */
  component: string;
  logger: Logger;
  metrics: Registry;
  /** Deadline of the probe's PING; past it Redis counts as down. @default 500 */
  readinessTimeoutMs?: number;
}

/** Tracks whether a policy's Redis calls work: one log line per change, a gauge, a readiness probe. */
export interface RedisHealth {
  /** Whether the last call (or probe) succeeded. */
  readonly up: boolean;
  markUp(): void;
  markDown(error: unknown): void;
  /** Readiness probe: pings Redis, so /readyz turns green again without traffic. */
  check(): Promise<boolean>;
}

/**
 * Redis is shared state, not a dependency to die with: its users report
 * failures here and carry on in their fail mode. ioredis reconnects by itself;
 * the next successful call or probe marks it up again.
 */
export function createRedisHealth({
  redis,
  bffName,
  component,
  logger,
  metrics,
  readinessTimeoutMs = DEFAULT_REDIS_READINESS_TIMEOUT_MS,
}: RedisHealthOptions): RedisHealth {
  const gauge = getOrCreateGauge(metrics, {
    name: 'loom_redis_up',
    help: 'Whether the last Redis call of a BFF policy succeeded (1) or failed (0)',
    labelNames: ['bff'],
  });
  let up = true;
  gauge.set({ bff: bffName }, 1);
  const health: RedisHealth = {
    get up() {
      return up;
    },
    markUp() {
      if (up) return;
      up = true;
      gauge.set({ bff: bffName }, 1);
      logger.info({ component }, 'redis reachable again');
    },
    markDown(error) {
      if (!up) return;
      up = false;
      gauge.set({ bff: bffName }, 0);
      logger.error({ component, err: error instanceof Error ? error.message : String(error) }, 'redis unreachable');
    },
    async check() {
      try {
        // A frozen Redis never answers; without a deadline /readyz would hang with it.
        await withRedisDeadline('a readiness probe', readinessTimeoutMs, () => probeRedis(redis));
        health.markUp();
        return true;
      } catch (error) {
        health.markDown(error);
        return false;
      }
    },
  };
  return health;
}
