import type { RunningBackend } from '../../demo/http-backend';
import type { RedisOptions } from '../../src/config/types';
import { invalidateResponseCache } from '../../src/plugins/cache/response-cache-invalidator';
import { createRedisClient } from '../../src/server/create-redis-client';
import { createSilentLogger } from '../../src/core/logger';
import { hashTaggedPrefix } from '../../src/core/redis-client';
import { createRedisRateLimitStore } from '../../src/plugins/stores/redis-rate-limit-store';
import { createRedisApiKeyStore } from '../../src/plugins/stores/redis-api-key-store';
import { startItemsBackend } from '../fixtures/ratelimit/items-backend';
import { findFreePort, SUITE_REDIS_COMMAND_TIMEOUT_MS } from '../fixtures/ratelimit/redis-child';
import { startItemsGateway, uniqueBffName } from '../fixtures/ratelimit/shared-gateways';
import { startRedisCluster, waitFor, type RedisClusterUnderTest } from '../helpers/redis-cluster';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';
import { GET_ITEM, expectRedisDownBehaviour, readyz, redisUp } from './redis-down-expectations';

// Starting three servers and joining them takes seconds on a busy machine; a node failure takes the node timeout.
jest.setTimeout(180_000);

// getItem(id) { id name } costs 1 + 2 = 3 units; the budget is 20 per user, so 6 fit.
const getItem = (id: string) => ({ query: 'query ($id: String!) { getItem(id: $id) { id name } }', variables: { id } });

describe('Loom on a real 3-node Redis Cluster', () => {
  let cluster: RedisClusterUnderTest;
  let options: RedisOptions;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    options = {
      cluster: { nodes: [...cluster.nodes] },
      commandTimeoutMs: SUITE_REDIS_COMMAND_TIMEOUT_MS,
      readinessTimeoutMs: SUITE_REDIS_COMMAND_TIMEOUT_MS,
    };
  });
  afterAll(async () => {
    await cluster?.close();
  });

  // First: ioredis leaves the timer of a failed slots refresh running for up to a second after disconnect.
  it('starts with no cluster node reachable: not ready, fail modes apply at once, closes cleanly', async () => {
    const open = uniqueBffName('open');
    const closed = uniqueBffName('closed');
    const backend = await startItemsBackend();
    const nowhere = [await findFreePort(), await findFreePort()].map((port) => ({ host: '127.0.0.1', port }));
    const gateway = await startTestGateway({
      sources: [
        { name: 'items', kind: 'openapi', spec: './test/fixtures/ratelimit/items/openapi.yaml', endpoint: backend.url },
      ],
      bffs: {
        [open]: './test/fixtures/ratelimit/bff-rate-limited.ts',
        [closed]: './test/fixtures/ratelimit/bff-fail-closed.ts',
      },
      redis: { cluster: { nodes: nowhere }, commandTimeoutMs: 1_000, readinessTimeoutMs: 1_000 },
    });
    try {
      expect((await readyz(gateway)).status).toBe(503);
      const served = await gateway.query(open, GET_ITEM, { 'x-test-user': 'early' });
      expect(served.status).toBe(200);
      expect(served.headers.get('ratelimit-limit')).toBeNull();
      const refused = await gateway.query(closed, GET_ITEM, { 'x-test-user': 'early' });
      expect(refused.status).toBe(503);
      expect(refused.body.errors?.[0].extensions).toEqual({ code: 'RATE_LIMIT_UNAVAILABLE' });
    } finally {
      await gateway.close();
      await backend.close();
    }
  });

  describe('two gateway instances', () => {
    const limited = uniqueBffName('rl');
    const cached = uniqueBffName('cache');
    let backend: RunningBackend;
    const instances: TestGateway[] = [];

    beforeAll(async () => {
      backend = await startItemsBackend();
      const bffs = {
        [limited]: './test/fixtures/ratelimit/bff-rate-limited.ts',
        [cached]: './test/fixtures/ratelimit/bff-cached.ts',
      };
      for (let i = 0; i < 2; i += 1) instances.push(await startItemsGateway(backend, bffs, options));
    });
    afterAll(async () => {
      await Promise.all(instances.map((gateway) => gateway.close()));
      await backend?.close();
    });

    it('share one rate-limit budget exactly: 6 of 30 concurrent requests pass, the rest get 429 RATE_LIMITED', async () => {
      const [first, second] = instances;
      backend.calls.reset();
      const user = { 'x-test-user': 'cluster' };
      const responses = await Promise.all(
        Array.from({ length: 30 }, (_, index) => (index % 2 === 0 ? first : second).query(limited, GET_ITEM, user)),
      );
      const accepted = responses.filter((response) => response.status === 200);
      const refused = responses.filter((response) => response.status === 429);
      expect(accepted).toHaveLength(6);
      expect(refused).toHaveLength(24);
      expect(backend.calls.count('getItem')).toBe(6);
      for (const response of refused) {
        expect(response.body.data).toBeUndefined();
        expect(response.body.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 20, remaining: 2 });
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      expect(accepted.map((response) => response.headers.get('ratelimit-remaining')).sort()).toEqual(
        ['14', '17', '2', '5', '8', '11'].sort(),
      );
    });

    it('share the response cache; a mutation on one instance invalidates the entry on the other', async () => {
      const [first, second] = instances;
      backend.calls.reset();
      const written = await first.query(cached, getItem('1'));
      expect(written.headers.get('x-loom-cache')).toBe('MISS');
      const served = await second.query(cached, getItem('1'));
      expect(served.headers.get('x-loom-cache')).toBe('HIT');
      expect(served.body).toEqual(written.body);
      await first.query(cached, getItem('2'));
      expect((await second.query(cached, getItem('2'))).headers.get('x-loom-cache')).toBe('HIT');

      const mutation = await second.query(cached, {
        query: 'mutation { updateItem(id: "1", input: { name: "Clustered" }) { id name } }',
      });
      expect(mutation.body).toEqual({ data: { updateItem: { id: '1', name: 'Clustered' } } });
      const afterMutation = await first.query(cached, getItem('1'));
      expect(afterMutation.headers.get('x-loom-cache')).toBe('MISS');
      expect(afterMutation.body).toEqual({ data: { getItem: { id: '1', name: 'Clustered' } } });
      expect((await second.query(cached, getItem('2'))).headers.get('x-loom-cache')).toBe('HIT');
      expect(backend.calls.count('getItem')).toBe(3);
    });

    it('drops a whole type from another process (KEYS runs on the node of the cache slot)', async () => {
      const [first, second] = instances;
      await first.query(cached, getItem('3'));
      await first.query(cached, getItem('4'));
      expect((await second.query(cached, getItem('3'))).headers.get('x-loom-cache')).toBe('HIT');
      const redis = createRedisClient({ cluster: { nodes: [...cluster.nodes] } }, createSilentLogger());
      try {
        await waitFor('the invalidation client', async () => redis.status === 'ready');
        await invalidateResponseCache({ redis, bffKeyPrefix: `loom:${cached}:`, commandTimeoutMs: 5_000 }, [
          { typename: 'Item' },
        ]);
      } finally {
        redis.disconnect();
      }
      expect((await second.query(cached, getItem('3'))).headers.get('x-loom-cache')).toBe('MISS');
      expect((await first.query(cached, getItem('4'))).headers.get('x-loom-cache')).toBe('MISS');
    });
  });

  it('is not ready when the shape does not match the server: a URL naming a cluster node, cluster nodes that are one server', async () => {
    const bff = uniqueBffName('shape');
    const backend = await startItemsBackend();
    const start = (redis: RedisOptions) =>
      startTestGateway({
        sources: [
          {
            name: 'items',
            kind: 'openapi',
            spec: './test/fixtures/ratelimit/items/openapi.yaml',
            endpoint: backend.url,
          },
        ],
        bffs: { [bff]: './test/fixtures/ratelimit/bff-fail-closed.ts' },
        redis: { ...redis, commandTimeoutMs: 1_000, readinessTimeoutMs: SUITE_REDIS_COMMAND_TIMEOUT_MS },
      });
    const urlToNode = await start({ url: `redis://127.0.0.1:${cluster.nodes[0].port}` });
    const clusterToServer = await start({ cluster: { nodes: [{ host: '127.0.0.1', port: 6379 }] } });
    try {
      await waitFor('the URL client to connect', async () => urlToNode.gateway.redis?.status === 'ready');
      for (const gateway of [urlToNode, clusterToServer]) {
        const ready = await readyz(gateway);
        expect(ready.status).toBe(503);
        expect(ready.body.checks).toEqual(expect.arrayContaining([{ name: `${bff}:rate-limit-redis`, ok: false }]));
        expect(await redisUp(gateway, bff)).toBe('0');
      }
      // The cluster client never becomes ready on a plain server: every charge fails, the BFF fails closed.
      const refused = await clusterToServer.query(bff, GET_ITEM, { 'x-test-user': 'shape' });
      expect(refused.status).toBe(503);
      expect(refused.body.errors?.[0].extensions).toEqual({ code: 'RATE_LIMIT_UNAVAILABLE' });
    } finally {
      await urlToNode.close();
      await clusterToServer.close();
      await backend.close();
    }
  });

  it('charges several buckets of one request in one script: one hash tag makes it legal, none is CROSSSLOT', async () => {
    const redis = createRedisClient({ cluster: { nodes: [...cluster.nodes] } }, createSilentLogger());
    try {
      await waitFor('the cluster client', async () => redis.status === 'ready');
      const store = createRedisRateLimitStore(redis, SUITE_REDIS_COMMAND_TIMEOUT_MS);
      const tagged = hashTaggedPrefix(`loom:${uniqueBffName('multi')}:rl:`);
      const charge = (key: string, capacity: number) => ({ key, capacity, windowMs: 3_600_000, cost: 3 });
      const both = [charge(`${tagged}user:u1`, 10), charge(`${tagged}ip:127.0.0.1`, 4)];
      expect((await store.consume(both)).allowed).toBe(true);
      // The IP bucket has 1 left: neither bucket is charged.
      const refused = await store.consume(both);
      expect(refused.allowed).toBe(false);
      expect(refused.buckets.map((bucket) => Math.round(bucket.remaining))).toEqual([7, 1]);

      // Keys of different slots in one script: the cluster refuses it, which failMode then handles.
      const untagged = [charge('loom:untagged:rl:user:a', 10), charge('loom:untagged:rl:user:b', 10)];
      expect(await redis.cluster('KEYSLOT', untagged[0].key)).not.toBe(await redis.cluster('KEYSLOT', untagged[1].key));
      await expect(store.consume(untagged)).rejects.toThrow(/CROSSSLOT/);
    } finally {
      redis.disconnect();
    }
  });

  it('keeps issued API keys on a cluster: issue, find, list and revoke (scripts and MULTI in one slot)', async () => {
    const redis = createRedisClient({ cluster: { nodes: [...cluster.nodes] } }, createSilentLogger());
    try {
      await waitFor('the cluster client', async () => redis.status === 'ready');
      const store = createRedisApiKeyStore(redis, {
        prefix: `loom:${uniqueBffName('keys')}:keys:`,
        commandTimeoutMs: SUITE_REDIS_COMMAND_TIMEOUT_MS,
      });
      const { key, record } = await store.issue({ bff: 'web', owner: 'ada', label: 'ci' });
      expect(await store.find(key, 'web')).toMatchObject({ id: record.id, owner: 'ada', uses: 1 });
      expect((await store.list({ bff: 'web', owner: 'ada' })).map((listed) => listed.id)).toEqual([record.id]);
      expect(await store.revoke(record.id, 'ada')).toBe(true);
      expect(await store.find(key, 'web')).toBeUndefined();
      expect(await store.list({ bff: 'web' })).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it('reports a lost node, follows failMode while the cluster is down, and recovers when the node is back', async () => {
    const open = uniqueBffName('open');
    const closed = uniqueBffName('closed');
    const cached = uniqueBffName('cached');
    const user = { 'x-test-user': 'outage' };
    const backend = await startItemsBackend();
    const gateway = await startItemsGateway(
      backend,
      {
        [open]: './test/fixtures/ratelimit/bff-rate-limited.ts',
        [closed]: './test/fixtures/ratelimit/bff-fail-closed.ts',
        [cached]: './test/fixtures/ratelimit/bff-cached.ts',
      },
      options,
    );
    try {
      expect((await gateway.query(open, GET_ITEM, user)).headers.get('ratelimit-remaining')).toBe('17');
      expect((await gateway.query(closed, GET_ITEM, user)).headers.get('ratelimit-remaining')).toBe('17');
      await gateway.query(cached, GET_ITEM);
      expect((await gateway.query(cached, GET_ITEM)).headers.get('x-loom-cache')).toBe('HIT');
      expect((await readyz(gateway)).status).toBe(200);

      // The node that serves the fail-closed BFF's buckets goes away.
      const victim = await cluster.ownerOf(`{loom:${closed}:rl}`);
      await cluster.kill(victim);
      await waitFor('/readyz to report the lost node', async () => (await readyz(gateway)).status === 503);
      // The others mark it failed after the node timeout; from then on the whole cluster refuses commands.
      await waitFor('the surviving nodes to report cluster_state:fail', async () =>
        (await cluster.states()).every((state) => state === 'fail'),
      );
      backend.calls.reset();

      await expectRedisDownBehaviour({ gateway, backend, open, closed, cached, user });

      // Back: the node restarts on its port and node file, rejoins with its slots (their data is gone).
      await cluster.restart(victim);
      await waitFor('/readyz to turn green again', async () => (await readyz(gateway)).status === 200);
      await waitFor('the fail-closed BFF to meter again', async () => {
        const response = await gateway.query(closed, GET_ITEM, { 'x-test-user': 'after' });
        return response.status === 200 && response.headers.get('ratelimit-remaining') === '17';
      });
      expect(await redisUp(gateway, closed)).toBe('1');
    } finally {
      await gateway.close();
      await backend.close();
    }
  });
});
