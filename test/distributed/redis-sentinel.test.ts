import type { RunningBackend } from '../../demo/http-backend';
import type { RedisOptions } from '../../src/config/types';
import { startItemsBackend } from '../fixtures/ratelimit/items-backend';
import { SUITE_REDIS_COMMAND_TIMEOUT_MS } from '../fixtures/ratelimit/redis-child';
import { startItemsGateway, uniqueBffName } from '../fixtures/ratelimit/shared-gateways';
import { waitFor } from '../helpers/redis-cluster';
import { startRedisSentinel, type RedisSentinelUnderTest } from '../helpers/redis-sentinel';
import type { TestGateway } from '../helpers/test-gateway';

jest.setTimeout(120_000);

// 3 cost units against a budget of 20 per user: 6 fit.
const GET_ITEM = { query: '{ getItem(id: "1") { id name } }' };

describe('Loom on a Sentinel-managed Redis (one master, one Sentinel)', () => {
  const limited = uniqueBffName('rl');
  const closed = uniqueBffName('closed');
  let sentinel: RedisSentinelUnderTest;
  let backend: RunningBackend;
  const instances: TestGateway[] = [];

  beforeAll(async () => {
    sentinel = await startRedisSentinel();
    backend = await startItemsBackend();
    const options: RedisOptions = {
      sentinels: [...sentinel.sentinels],
      name: sentinel.name,
      commandTimeoutMs: SUITE_REDIS_COMMAND_TIMEOUT_MS,
      readinessTimeoutMs: SUITE_REDIS_COMMAND_TIMEOUT_MS,
    };
    const bffs = {
      [limited]: './test/fixtures/ratelimit/bff-rate-limited.ts',
      [closed]: './test/fixtures/ratelimit/bff-fail-closed.ts',
    };
    for (let i = 0; i < 2; i += 1) instances.push(await startItemsGateway(backend, bffs, options));
  });
  afterAll(async () => {
    await Promise.all(instances.map((gateway) => gateway.close()));
    await backend?.close();
    await sentinel?.close();
  });

  it('finds the master through the Sentinel: two instances share one budget exactly', async () => {
    const [first, second] = instances;
    // The gateway's connection reached the master the Sentinel named (asked over that connection).
    expect(await first.gateway.redis?.config('GET', 'port')).toEqual(['port', String(sentinel.masterPort)]);
    const user = { 'x-test-user': 'sentinel' };
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, index) => (index % 2 === 0 ? first : second).query(limited, GET_ITEM, user)),
    );
    expect(responses.filter((response) => response.status === 200)).toHaveLength(6);
    const refused = responses.filter((response) => response.status === 429);
    expect(refused).toHaveLength(6);
    for (const response of refused) expect(response.body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
  });

  it('reports a lost master and follows failMode (no replica to promote)', async () => {
    const [first] = instances;
    await sentinel.killMaster();
    await waitFor('/readyz to report the lost master', async () => (await first.fetch('/readyz')).status === 503);
    const refused = await first.query(closed, GET_ITEM, { 'x-test-user': 'after' });
    expect(refused.status).toBe(503);
    expect(refused.body.errors?.[0].extensions).toEqual({ code: 'RATE_LIMIT_UNAVAILABLE' });
    const served = await first.query(limited, GET_ITEM, { 'x-test-user': 'after' });
    expect(served.status).toBe(200);
    expect(served.headers.get('ratelimit-limit')).toBeNull();
  });
});
