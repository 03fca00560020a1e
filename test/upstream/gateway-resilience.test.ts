import type { LoomConfig } from '../../src/config/types';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';
import { startFaultServer, type FaultServer } from '../fixtures/upstream/fault-server';

const SPEC = './test/fixtures/upstream/items.openapi.yaml';
const BFF = { web: './test/fixtures/bff/open.ts' };
type ItemsSource = LoomConfig['sources'][number];

async function withGateway(
  source: Partial<ItemsSource>,
  run: (gateway: TestGateway) => Promise<void>,
  extra: ItemsSource[] = [],
) {
  const gateway = await startTestGateway({
    sources: [{ name: 'items', kind: 'openapi', spec: SPEC, ...source } as ItemsSource, ...extra],
    bffs: BFF,
  });
  try {
    await run(gateway);
  } finally {
    await gateway.close();
  }
}

describe('upstream resilience through the gateway', () => {
  let first: FaultServer;
  let second: FaultServer;
  let backup: FaultServer;
  beforeEach(async () => {
    [first, second, backup] = await Promise.all([
      startFaultServer('first'),
      startFaultServer('second'),
      startFaultServer('backup'),
    ]);
  });
  afterEach(async () => {
    for (const server of [first, second, backup]) server.releaseHanging();
    await Promise.all([first, second, backup].map((server) => server.close()));
  });

  it('retries a query on 503 exactly twice and answers; counts retries in /metrics', async () => {
    first.script({ status: 503 }, { status: 503 });
    await withGateway({ endpoint: first.url, upstream: { retry: { baseDelayMs: 0 } } }, async (gateway) => {
      const { status, body } = await gateway.query('web', { query: '{ getItem(id: "1") { id servedBy } }' });
      expect(status).toBe(200);
      expect(body).toEqual({ data: { getItem: { id: '1', servedBy: 'first' } } });
      expect(first.received).toHaveLength(3);
      const metrics = await (await gateway.fetch(`/metrics`)).text();
      expect(metrics).toContain('loom_upstream_retries_total{source="items"} 2');
      expect(metrics).toContain(`loom_upstream_circuit_state{source="items",endpoint="${first.url}"} 0`);
    });
  });

  it('never retries a mutation, and keeps the typed error', async () => {
    first.fallback = { status: 503 };
    await withGateway({ endpoint: first.url, upstream: { retry: { baseDelayMs: 0 } } }, async (gateway) => {
      const { body } = await gateway.query('web', { query: 'mutation { createItem(input: { name: "lamp" }) { id } }' });
      expect(body.data).toEqual({ createItem: null });
      expect(body.errors?.[0].extensions).toMatchObject({
        code: 'UPSTREAM_HTTP_ERROR',
        source: 'items',
        upstreamStatus: 503,
      });
      expect(first.received).toHaveLength(1);
    });
  });

  it('opens the breaker, fails fast with UPSTREAM_UNAVAILABLE and partial data, then closes after the cool-down', async () => {
    first.fallback = { status: 503 };
    const upstream = {
      retry: false as const,
      outlierDetection: false as const,
      circuitBreaker: { minimumCalls: 2, coolDownMs: 0 },
    };
    await withGateway({ endpoint: first.url, upstream }, async (gateway) => {
      for (let index = 0; index < 2; index++) await gateway.query('web', { query: '{ getItem(id: "1") { id } }' });
      expect(first.received).toHaveLength(2);
      // coolDownMs 0: the open breaker lets the next call through as a half-open probe, which fails and re-opens it.
      const { body } = await gateway.query('web', {
        query: '{ a: getItem(id: "1") { id } b: getItem(id: "2") { id } }',
      });
      expect(body.data).toEqual({ a: null, b: null });
      expect(body.errors?.map((error) => error.extensions?.code).sort()).toEqual([
        'UPSTREAM_HTTP_ERROR',
        'UPSTREAM_UNAVAILABLE',
      ]);
      expect(body.errors?.find((error) => error.extensions?.code === 'UPSTREAM_UNAVAILABLE')?.message).toBe(
        'Source "items" is unavailable: circuit breaker open',
      );
      expect(first.received).toHaveLength(3);
      first.fallback = 'ok';
      const healed = await gateway.query('web', { query: '{ getItem(id: "3") { id servedBy } }' });
      expect(healed.body).toEqual({ data: { getItem: { id: '3', servedBy: 'first' } } });
      const ready = await (await gateway.fetch(`/readyz`)).json();
      expect(ready.upstreams).toEqual([
        {
          source: 'items',
          endpoints: [{ endpoint: first.url, backup: false, circuit: 'closed', ejected: false, outstanding: 0 }],
        },
      ]);
    });
  });

  it('balances over two instances, fails over when one resets, and uses the backup when both are down', async () => {
    await withGateway(
      {
        endpoint: [first.url, second.url],
        upstream: {
          backupEndpoint: backup.url,
          retry: { baseDelayMs: 0 },
          outlierDetection: { consecutiveFailures: 1 },
        },
      },
      async (gateway) => {
        const served = async () =>
          (await gateway.query('web', { query: '{ getItem(id: "1") { servedBy } }' })).body.data?.getItem?.servedBy;
        expect([await served(), await served()]).toEqual(['first', 'second']);
        first.fallback = 'reset';
        expect([await served(), await served()]).toEqual(['second', 'second']);
        second.fallback = { status: 503 };
        expect(await served()).toBe('backup');
        expect(backup.received).toHaveLength(1);
      },
    );
  });

  it('times out a hanging operation at its per-operation timeout with UPSTREAM_TIMEOUT', async () => {
    await withGateway({ endpoint: first.url, upstream: { operationTimeoutsMs: { getItem: 100 } } }, async (gateway) => {
      first.script('hang');
      const { status, body } = await gateway.query('web', { query: '{ slow: getItem(id: "1") { id } }' });
      expect(status).toBe(504); // the catalogue's status for UPSTREAM_TIMEOUT
      expect(body.data).toEqual({ slow: null });
      expect(body.errors?.[0]).toMatchObject({
        message: 'Source "items" did not answer within 100 ms',
        extensions: { code: 'UPSTREAM_TIMEOUT', source: 'items' },
      });
      expect(first.received).toHaveLength(1);
    });
  });

  it('serves configured fallbacks when the source is down: last good value and static value', async () => {
    const upstream = {
      retry: false as const,
      fallbacks: { 'Query.getItem': { kind: 'last-good' as const } },
    };
    await withGateway({ endpoint: first.url, upstream }, async (gateway) => {
      const good = await gateway.query('web', { query: '{ getItem(id: "5") { id name } }' });
      expect(good.body).toEqual({ data: { getItem: { id: '5', name: 'Item 5' } } });
      first.fallback = 'reset';
      const cached = await gateway.query('web', { query: '{ getItem(id: "5") { id name } }' });
      expect(cached.body).toEqual({ data: { getItem: { id: '5', name: 'Item 5' } } });
      const unseen = await gateway.query('web', { query: '{ getItem(id: "6") { id name } }' });
      expect(unseen.body.errors?.[0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', source: 'items' });
      const metrics = await (await gateway.fetch(`/metrics`)).text();
      expect(metrics).toContain('loom_upstream_fallbacks_total{source="items",field="Query.getItem"} 1');
    });
    first.fallback = 'reset';
    await withGateway(
      {
        endpoint: first.url,
        upstream: {
          retry: false,
          fallbacks: { 'Query.getItem': { kind: 'static', value: { id: 'none', name: 'unavailable' } } },
        },
      },
      async (gateway) => {
        const { body } = await gateway.query('web', { query: '{ getItem(id: "5") { id name } }' });
        expect(body).toEqual({ data: { getItem: { id: 'none', name: 'unavailable' } } });
      },
    );
  });

  it('mirrors traffic to a hanging shadow without affecting the answer', async () => {
    backup.fallback = 'hang';
    await withGateway({ endpoint: first.url, upstream: { shadow: { endpoint: backup.url } } }, async (gateway) => {
      const { body } = await gateway.query('web', { query: '{ getItem(id: "9") { servedBy } }' });
      expect(body).toEqual({ data: { getItem: { servedBy: 'first' } } });
      await backup.waitForRequests(1);
      expect(backup.received.map((request) => request.path)).toEqual(['/items/9']);
    });
  });
});
