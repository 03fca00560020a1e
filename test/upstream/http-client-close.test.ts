import { Registry } from 'prom-client';
import { createHttpClient } from '../../src/upstream/create-http-client';
import { startFaultServer, type FaultServer } from '../fixtures/upstream/fault-server';

/**
 * close() cuts the calls still under way (the client gives its calls no abort
 * signal of their own: it destroys its connection pool). A cut call is not the
 * source's failure: no retry, nothing counted against its breaker.
 */
describe('HTTP client close', () => {
  let backend: FaultServer;

  beforeEach(async () => {
    backend = await startFaultServer('primary');
  });
  afterEach(async () => {
    backend.releaseHanging();
    await backend.close();
  });

  const retriesCounted = async (metrics: Registry) =>
    (await metrics.getSingleMetric('loom_upstream_retries_total')?.get())?.values.reduce(
      (sum, { value }) => sum + value,
      0,
    ) ?? 0;

  it('fails a call under way at once, with no retry and no breaker failure', async () => {
    const metrics = new Registry();
    const client = createHttpClient({
      source: 'items',
      endpoints: [backend.url],
      metrics,
      upstream: { circuitBreaker: { minimumCalls: 1, failureRateThreshold: 0.01, coolDownMs: 60_000 } },
    });
    backend.script('hang');
    const call = client.fetch(`${backend.url}/items/1`);
    const settled = call.then(
      () => 'answered',
      (error: unknown) => error,
    );
    while (backend.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await client.close();
    const outcome = await settled;
    expect(outcome).toBeInstanceOf(Error);
    expect(outcome).toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE', source: 'items' } });
    expect(backend.received).toHaveLength(1);
    expect(await retriesCounted(metrics)).toBe(0);
    const circuit = (await metrics.getSingleMetric('loom_upstream_circuit_state')?.get())?.values ?? [];
    expect(circuit.every(({ value }) => value === 0)).toBe(true);
  });

  it('refuses calls made after close without reaching the source', async () => {
    const client = createHttpClient({ source: 'items', endpoints: [backend.url] });
    expect((await client.fetch(`${backend.url}/items/1`)).status).toBe(200);
    await client.close();
    await expect(client.fetch(`${backend.url}/items/2`)).rejects.toMatchObject({
      extensions: { code: 'UPSTREAM_UNAVAILABLE' },
    });
    expect(backend.received).toHaveLength(1);
  });
});
