import { Registry } from 'prom-client';
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../../src/upstream/create-http-client';
import { runInUpstreamCall } from '../../src/upstream/upstream-call-context';
import { startFaultServer, type FaultServer } from '../fixtures/upstream/fault-server';

const noSleep = async () => undefined;

describe('HTTP client retries', () => {
  let backend: FaultServer;
  const clients: HttpClient[] = [];
  const client = (options: Partial<HttpClientOptions> = {}) => {
    const created = createHttpClient({ source: 'items', endpoints: backend.url, sleep: noSleep, ...options });
    clients.push(created);
    return created;
  };

  beforeEach(async () => {
    backend = await startFaultServer('primary');
  });
  afterEach(async () => {
    backend.releaseHanging();
    await Promise.all(clients.splice(0).map((created) => created.close()));
    await backend.close();
  });

  it('retries a GET on 503 a set number of times and counts each retry', async () => {
    const metrics = new Registry();
    backend.script({ status: 503 }, { status: 503 });
    const response = await client({ metrics }).fetch(`${backend.url}/items/1`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: '1', name: 'Item 1', servedBy: 'primary' });
    expect(backend.received).toHaveLength(3);
    expect((await metrics.getSingleMetric('loom_upstream_retries_total')!.get()).values).toEqual([
      { labels: { source: 'items' }, value: 2 },
    ]);
  });

  it('gives up after maxRetries and hands back the last 503', async () => {
    backend.fallback = { status: 503 };
    const response = await client({ upstream: { retry: { maxRetries: 3 } } }).fetch(`${backend.url}/items/1`);
    expect(response.status).toBe(503);
    expect(backend.received).toHaveLength(4);
  });

  it('retries 502 and 504 and a reset connection, but not 500', async () => {
    backend.script({ status: 502 }, { status: 504 }, 'reset');
    const retrying = client({ upstream: { retry: { maxRetries: 3 } } });
    expect((await retrying.fetch(`${backend.url}/items/1`)).status).toBe(200);
    expect(backend.received).toHaveLength(4);
    backend.script({ status: 500 });
    expect((await retrying.fetch(`${backend.url}/items/2`)).status).toBe(500);
    expect(backend.received).toHaveLength(5);
  });

  it('never retries a POST', async () => {
    backend.fallback = { status: 503 };
    const response = await client().fetch(`${backend.url}/items`, {
      method: 'POST',
      body: '{"name":"x"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(503);
    expect(backend.received).toHaveLength(1);
  });

  it('retries a POST when the executor marked the call idempotent (a GraphQL query)', async () => {
    backend.script({ status: 503 });
    const response = await runInUpstreamCall({ idempotent: true }, () =>
      client().fetch(`${backend.url}/graphql`, { method: 'POST', body: '{}' }),
    );
    expect(response.status).toBe(200);
    expect(backend.received).toHaveLength(2);
  });

  it('does not retry a GET the executor marked non-idempotent (a GraphQL mutation)', async () => {
    backend.fallback = { status: 503 };
    const response = await runInUpstreamCall({ idempotent: false }, () => client().fetch(`${backend.url}/items/1`));
    expect(response.status).toBe(503);
    expect(backend.received).toHaveLength(1);
  });

  it('stops retrying once the retry budget is spent, so an outage is not multiplied', async () => {
    const metrics = new Registry();
    backend.fallback = { status: 503 };
    const budgeted = client({
      metrics,
      upstream: { retry: { maxRetries: 3, budgetRatio: 0.2, budgetMinRetries: 0 }, circuitBreaker: false },
    });
    for (let index = 0; index < 10; index++)
      expect((await budgeted.fetch(`${backend.url}/items/${index}`)).status).toBe(503);
    expect(backend.received).toHaveLength(12); // 10 requests + 20% retries
    expect((await metrics.getSingleMetric('loom_upstream_retries_total')!.get()).values[0].value).toBe(2);
    expect((await metrics.getSingleMetric('loom_upstream_retry_budget_exhausted_total')!.get()).values[0].value).toBe(
      10,
    ); // every request ended on a denied retry
  });

  it('turns a hanging backend into UPSTREAM_TIMEOUT after the attempt timeout, without retrying', async () => {
    backend.fallback = 'hang';
    await expect(client({ timeoutMs: 100 }).fetch(`${backend.url}/items/1`)).rejects.toMatchObject({
      message: 'Source "items" did not answer within 100 ms',
      extensions: { code: 'UPSTREAM_TIMEOUT', source: 'items', http: { status: 504 } },
    });
    expect(backend.received).toHaveLength(1);
  });

  it('cuts the attempt at the call deadline and names that limit', async () => {
    backend.fallback = 'hang';
    const call = runInUpstreamCall({ deadlineAt: Date.now() + 80, deadlineMs: 80 }, () =>
      client({ timeoutMs: 60_000 }).fetch(`${backend.url}/items/1`),
    );
    await expect(call).rejects.toMatchObject({
      message: 'Source "items" did not answer within 80 ms',
      extensions: { code: 'UPSTREAM_TIMEOUT' },
    });
  });

  it('makes no call at all when the deadline has already passed', async () => {
    const call = runInUpstreamCall({ deadlineAt: Date.now() - 1, deadlineMs: 50 }, () =>
      client().fetch(`${backend.url}/items/1`),
    );
    await expect(call).rejects.toMatchObject({ extensions: { code: 'UPSTREAM_TIMEOUT' } });
    expect(backend.received).toHaveLength(0);
  });

  it('waits the jittered backoff between retries through the injected sleep', async () => {
    const delays: number[] = [];
    backend.script({ status: 503 }, { status: 503 });
    const sleepy = client({
      random: () => 0.5,
      sleep: async (delayMs) => void delays.push(delayMs),
      upstream: { retry: { baseDelayMs: 100, maxDelayMs: 150 } },
    });
    expect((await sleepy.fetch(`${backend.url}/items/1`)).status).toBe(200);
    expect(delays).toEqual([50, 75]);
  });
});
