import type { Cluster, Redis } from 'ioredis';

/**
 * The shared Redis as its users see it: one server (or a Sentinel-managed
 * master, which ioredis also serves as a `Redis`), or an ioredis `Cluster`.
 * Users send single-key commands, multi-key ones only on keys of one hash tag,
 * so the same code runs on both.
 */
export type RedisClient = Redis | Cluster;

/** ioredis marks its clients with `isCluster` (read here so that importing this module does not load ioredis). */
export function isRedisCluster(redis: unknown): redis is Cluster {
  return typeof redis === 'object' && redis !== null && (redis as { isCluster?: unknown }).isCluster === true;
}

/**
 * One round trip that says whether Redis serves every key. One server:
 * INFO cluster (a PING that also refuses a cluster node configured as a URL).
 * A cluster: every master it knows answers CLUSTER INFO with
 * `cluster_state:ok`. A PING to a cluster reaches one random node and would
 * miss a master that is down, whose slots fail every command sent to them.
 */
export async function probeRedis(redis: RedisClient | { ping(): Promise<unknown> }): Promise<void> {
  if (!isRedisCluster(redis)) {
    if (!('info' in redis)) {
      await redis.ping();
      return;
    }
    // As cheap as a PING, and it catches a URL that names one node of a cluster: that
    // node answers the keys of its own slots and MOVED for the rest, so it would look
    // healthy while most charges and cache reads fail.
    const info = await redis.info('cluster');
    if (/cluster_enabled:1/.test(info))
      throw new Error(
        'Redis is a cluster node, configured as one server: set redis: { cluster: { nodes: [{ host, port }] } }',
      );
    return;
  }
  const masters = redis.nodes('master');
  if (masters.length === 0) throw new Error('Redis Cluster: no master reachable');
  await Promise.all(
    masters.map(async (node) => {
      const info = await node.cluster('INFO');
      const state = /cluster_state:(\w+)/.exec(String(info))?.[1];
      if (state !== 'ok')
        throw new Error(`Redis Cluster node ${node.options.host}:${node.options.port}: cluster_state ${state}`);
    }),
  );
}

/**
 * `prefix` with a hash tag of its own appended: `loom:web:rl:` becomes
 * `loom:web:rl:{loom:web:rl}:`. Every key under it hashes to one cluster slot,
 * which a multi-key command or script needs (on one server it changes nothing).
 */
export function hashTaggedPrefix(prefix: string): string {
  return `${prefix}{${prefix.replace(/[{}]/g, '').replace(/:$/, '')}}:`;
}
