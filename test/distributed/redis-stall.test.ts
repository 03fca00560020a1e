import type { RunningBackend } from '../../demo/http-backend';
import type { TestGateway } from '../helpers/test-gateway';
import { startItemsBackend } from '../fixtures/ratelimit/items-backend';
import { findFreePort, startRedisChild, type RedisChild } from '../fixtures/ratelimit/redis-child';
import { startItemsGateway, uniqueBffName } from '../fixtures/ratelimit/shared-gateways';

// 3 cost units against a budget of 20 per user.
const GET_ITEM = { query: '{ getItem(id: "1") { id name } }' };

/**
 * A stalled Redis must cost a request at most its command deadline (500 ms
 * here, 100 ms by default). The bound here is generous on purpose: it tells "bounded" from
 * "hangs until the client gives up" on a busy machine, not fast from slow.
 */
const ANSWER_BOUND_MS = 3_000;

/** The promise's value, or a failure naming what hung. */
async function within<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ANSWER_BOUND_MS} ms`)), ANSWER_BOUND_MS);
  });
  try {
    return await Promise.race([promise, hung]);
  } finally {
    clearTimeout(timer);
  }
}

async function readyz(gateway: TestGateway) {
  const response = await gateway.fetch(`/readyz`);
  return { status: response.status, body: (await response.json()) as { checks: Array<{ name: string; ok: boolean }> } };
}

describe('a frozen Redis (SIGSTOP) costs each request its command deadline, then thaws (own redis-server)', () => {
  const open = uniqueBffName('open');
  const closed = uniqueBffName('closed');
  const cached = uniqueBffName('cached');
  let redisServer: RedisChild | undefined;
  let backend: RunningBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    redisServer = await startRedisChild(await findFreePort());
    backend = await startItemsBackend();
    gateway = await startItemsGateway(
      backend,
      {
        [open]: './test/fixtures/ratelimit/bff-rate-limited.ts',
        [closed]: './test/fixtures/ratelimit/bff-fail-closed.ts',
        [cached]: './test/fixtures/ratelimit/bff-cached.ts',
      },
      // Above the 100 ms default, so the metered calls before the freeze pass on a busy machine too.
      { url: redisServer.url, commandTimeoutMs: 500, readinessTimeoutMs: 500 },
    );
  });
  afterAll(async () => {
    redisServer?.resume();
    await gateway?.close();
    await backend?.close();
    await redisServer?.stop();
  });

  it('fails open, fails closed and misses the cache while frozen; /readyz says not ready; all recover on SIGCONT', async () => {
    const before = { 'x-test-user': 'before-stall' };
    expect((await gateway.query(open, GET_ITEM, before)).headers.get('ratelimit-remaining')).toBe('17');
    await gateway.query(cached, GET_ITEM);
    expect((await gateway.query(cached, GET_ITEM)).headers.get('x-loom-cache')).toBe('HIT');
    expect((await readyz(gateway)).status).toBe(200);

    redisServer?.pause();
    backend.calls.reset();
    const during = { 'x-test-user': 'during-stall' };

    const failOpen = await within('the fail-open BFF', gateway.query(open, GET_ITEM, during));
    expect(failOpen.status).toBe(200);
    expect(failOpen.body).toEqual({ data: { getItem: { id: '1', name: 'Item 1' } } });
    expect(failOpen.headers.get('ratelimit-limit')).toBeNull();
    expect(backend.calls.count('getItem')).toBe(1);

    const failClosed = await within('the fail-closed BFF', gateway.query(closed, GET_ITEM, during));
    expect(failClosed.status).toBe(503);
    expect(failClosed.headers.get('retry-after')).toBe('1');
    expect(failClosed.body).toEqual({
      errors: [
        { message: 'Rate limiting is unavailable; request refused', extensions: { code: 'RATE_LIMIT_UNAVAILABLE' } },
      ],
    });
    expect(backend.calls.count('getItem')).toBe(1);

    const miss = await within('the cached BFF', gateway.query(cached, GET_ITEM));
    expect(miss.status).toBe(200);
    expect(miss.body).toEqual({ data: { getItem: { id: '1', name: 'Item 1' } } });
    expect(miss.headers.get('x-loom-cache')).toBe('MISS');
    expect(backend.calls.count('getItem')).toBe(2);

    const notReady = await within('/readyz', readyz(gateway));
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks).toEqual(
      expect.arrayContaining([
        { name: `${open}:rate-limit-redis`, ok: false },
        { name: `${closed}:rate-limit-redis`, ok: false },
        { name: `${cached}:response-cache-redis`, ok: false },
      ]),
    );

    redisServer?.resume();
    // Thawed, Redis first answers what was sent while frozen; poll readiness rather than guess when.
    let ready = await readyz(gateway);
    for (let attempt = 0; ready.status !== 200 && attempt < 50; attempt += 1) ready = await readyz(gateway);
    expect(ready.status).toBe(200);

    const after = { 'x-test-user': 'after-stall' };
    const meteredOpen = await gateway.query(open, GET_ITEM, after);
    expect(meteredOpen.status).toBe(200);
    expect(meteredOpen.headers.get('ratelimit-remaining')).toBe('17');
    const meteredClosed = await gateway.query(closed, GET_ITEM, after);
    expect(meteredClosed.status).toBe(200);
    expect(meteredClosed.headers.get('ratelimit-remaining')).toBe('17');
    expect((await gateway.query(cached, GET_ITEM)).headers.get('x-loom-cache')).toBe('HIT');
  });
});
