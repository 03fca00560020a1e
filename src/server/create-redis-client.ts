import type { RedisConnectionOptions } from '../config/types';
import type { Logger } from '../core/logger';
import type { RedisClient } from '../core/redis-client';

/**
 * Options every connection shares. No offline queue: a command sent while
 * Redis is away fails at once (the policy applies its fail mode) instead of
 * piling up; one retry per command across a reconnect.
 */
const SHARED_OPTIONS = { maxRetriesPerRequest: 1, enableOfflineQueue: false } as const;

/**
 * The one place Loom opens its shared Redis: a server from a URL, a master
 * found through Sentinels, or an ioredis Cluster. Connects in the background;
 * users see `status` and errors. Errors are logged (ioredis reconnects by
 * itself), never thrown: a Redis that is down at start-up is the same fail
 * mode as one that goes down later.
 */
export function createRedisClient(options: RedisConnectionOptions, logger: Logger): RedisClient {
  const redis = openRedis(options);
  redis.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis error'));
  return redis;
}

function openRedis(options: RedisConnectionOptions): RedisClient {
  // ioredis loads only when a config names Redis: most starts never need it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Cluster, Redis } = require('ioredis') as typeof import('ioredis');
  if ('cluster' in options) {
    const { nodes, username, password } = options.cluster;
    return new Cluster(
      nodes.map(({ host, port }) => ({ host, port })),
      {
        enableOfflineQueue: false,
        // Node connections keep ioredis' own offline queue: they connect lazily, on their first command.
        redisOptions: { maxRetriesPerRequest: 1, username, password },
        // A slot whose master is gone answers CLUSTERDOWN until a replica takes over; the
        // policy deadline decides how long a request waits, not the retry count.
        retryDelayOnClusterDown: 100,
      },
    );
  }
  if ('sentinels' in options)
    return new Redis({
      ...SHARED_OPTIONS,
      sentinels: options.sentinels.map(({ host, port }) => ({ host, port })),
      name: options.name,
      password: options.password,
      sentinelPassword: options.sentinelPassword,
      db: options.db,
    });
  return new Redis(options.url, SHARED_OPTIONS);
}
