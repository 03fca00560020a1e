import { Registry } from 'prom-client';
import { createHttpClient, type HttpClient } from '../../src/upstream/create-http-client';
import { startFaultServer, type FaultServer } from '../fixtures/upstream/fault-server';

describe('HTTP client circuit breaker', () => {
  let backend: FaultServer;
  let client: HttpClient;
  let time: number;
  const metrics = new Registry();
  const circuitState = async () =>
    (await metrics.getSingleMetric('loom_upstream_circuit_state')!.get()).values.map(({ labels, value }) => ({
      ...labels,
      value,
    }));

  beforeAll(async () => {
    backend = await startFaultServer('primary');
    time = 1_000_000;
    client = createHttpClient({
      source: 'items',
      endpoints: [backend.url],
      metrics,
      now: () => time,
      upstream: {
        retry: false,
        outlierDetection: false,
        circuitBreaker: { minimumCalls: 4, failureRateThreshold: 0.5, coolDownMs: 5_000 },
      },
    });
  });
  afterAll(async () => {
    await client?.close();
    await backend?.close();
  });

  it('opens after the failure rate crosses the threshold, then fails fast without calling', async () => {
    backend.script({ status: 503 }, 'reset', { status: 500 }, 'ok');
    expect((await client.fetch(`${backend.url}/items/1`)).status).toBe(503);
    await expect(client.fetch(`${backend.url}/items/1`)).rejects.toMatchObject({
      extensions: { code: 'UPSTREAM_UNAVAILABLE' },
    });
    expect((await client.fetch(`${backend.url}/items/1`)).status).toBe(500);
    expect(await circuitState()).toEqual([{ source: 'items', endpoint: backend.url, value: 0 }]);
    expect((await client.fetch(`${backend.url}/items/1`)).status).toBe(200); // 3 of 4 failed: open
    expect(await circuitState()).toEqual([{ source: 'items', endpoint: backend.url, value: 1 }]);
    for (let index = 0; index < 5; index++) {
      await expect(client.fetch(`${backend.url}/items/2`)).rejects.toMatchObject({
        message: 'Source "items" is unavailable: circuit breaker open',
        extensions: { code: 'UPSTREAM_UNAVAILABLE', source: 'items' },
      });
    }
    expect(backend.received).toHaveLength(4);
  });

  it('lets one probe through after the cool-down and re-opens when it fails', async () => {
    time += 5_000;
    backend.script({ status: 503 });
    expect((await client.fetch(`${backend.url}/items/3`)).status).toBe(503);
    await expect(client.fetch(`${backend.url}/items/3`)).rejects.toMatchObject({
      extensions: { code: 'UPSTREAM_UNAVAILABLE' },
    });
    expect(backend.received).toHaveLength(5);
    expect(await circuitState()).toEqual([{ source: 'items', endpoint: backend.url, value: 1 }]);
  });

  it('closes when a probe succeeds and serves normally again', async () => {
    time += 5_000;
    expect(client.health()[0].circuit).toBe('half-open');
    expect(await circuitState()).toEqual([{ source: 'items', endpoint: backend.url, value: 2 }]);
    expect((await client.fetch(`${backend.url}/items/4`)).status).toBe(200);
    expect(await circuitState()).toEqual([{ source: 'items', endpoint: backend.url, value: 0 }]);
    for (let index = 0; index < 3; index++) expect((await client.fetch(`${backend.url}/items/5`)).status).toBe(200);
    expect(backend.received).toHaveLength(9);
  });
});
