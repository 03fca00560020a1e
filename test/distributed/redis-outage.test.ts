import type { Redis } from 'ioredis';
import type { RunningBackend } from '../../demo/http-backend';
import type { TestGateway } from '../helpers/test-gateway';
import { startItemsBackend } from '../fixtures/ratelimit/items-backend';
import { findFreePort, startRedisChild, type RedisChild } from '../fixtures/ratelimit/redis-child';
import { startItemsGateway, uniqueBffName } from '../fixtures/ratelimit/shared-gateways';
import { GET_ITEM, expectRedisDownBehaviour, readyz, redisUp } from './redis-down-expectations';

const user = { 'x-test-user': 'outage' };

/** Resolves on the connection's next event of that name; errors while reconnecting are expected and ignored. */
const nextEvent = (connection: Redis, event: 'close' | 'ready') =>
  new Promise<void>((resolve) => connection.once(event, () => resolve()));

describe('Redis going away mid-test and coming back (own redis-server)', () => {
  const open = uniqueBffName('open');
  const closed = uniqueBffName('closed');
  const cached = uniqueBffName('cached');
  let port: number;
  let redisServer: RedisChild | undefined;
  let backend: RunningBackend;
  let gateway: TestGateway;
  let connection: Redis;

  beforeAll(async () => {
    port = await findFreePort();
    redisServer = await startRedisChild(port);
    backend = await startItemsBackend();
    gateway = await startItemsGateway(
      backend,
      {
        [open]: './test/fixtures/ratelimit/bff-rate-limited.ts',
        [closed]: './test/fixtures/ratelimit/bff-fail-closed.ts',
        [cached]: './test/fixtures/ratelimit/bff-cached.ts',
      },
      `redis://127.0.0.1:${port}`,
    );
    connection = gateway.gateway.redis as Redis;
  });
  afterAll(async () => {
    await gateway?.close();
    await backend?.close();
    await redisServer?.stop();
  });

  it('limits while Redis is up, fails open or closed as configured while it is down, and recovers by itself', async () => {
    // Up: both BFFs meter, the cache answers.
    const meteredOpen = await gateway.query(open, GET_ITEM, user);
    expect(meteredOpen.status).toBe(200);
    expect(meteredOpen.headers.get('ratelimit-remaining')).toBe('17');
    expect((await gateway.query(closed, GET_ITEM, user)).headers.get('ratelimit-remaining')).toBe('17');
    await gateway.query(cached, GET_ITEM);
    expect((await gateway.query(cached, GET_ITEM)).headers.get('x-loom-cache')).toBe('HIT');
    expect((await readyz(gateway)).status).toBe(200);
    expect(await redisUp(gateway, open)).toBe('1');

    // Down.
    const closedConnection = nextEvent(connection, 'close');
    await redisServer?.stop();
    redisServer = undefined;
    await closedConnection;
    backend.calls.reset();

    await expectRedisDownBehaviour({ gateway, backend, open, closed, cached, user });

    // Back: a new, empty Redis on the same port; the gateway reconnects on its own.
    const ready = nextEvent(connection, 'ready');
    redisServer = await startRedisChild(port);
    await ready;

    const readyAgain = await readyz(gateway);
    expect(readyAgain.status).toBe(200);
    expect(await redisUp(gateway, open)).toBe('1');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) statuses.push((await gateway.query(open, GET_ITEM, user)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
    const closedAgain = await gateway.query(closed, GET_ITEM, user);
    expect(closedAgain.status).toBe(200);
    expect(closedAgain.headers.get('ratelimit-remaining')).toBe('17');
    expect((await gateway.query(cached, GET_ITEM)).headers.get('x-loom-cache')).toBe('MISS');
    expect((await gateway.query(cached, GET_ITEM)).headers.get('x-loom-cache')).toBe('HIT');
  });
});
