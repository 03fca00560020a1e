import * as grpc from '@grpc/grpc-js';
import { startOrdersBackend, type OrdersBackend } from '../../demo/orders-backend';
import type { UpstreamPolicyOptions } from '../../src/upstream/upstream-policy-options';
import { createLogger } from '../../src/core/logger';
import { captureLogs, type LogCapture } from '../observability/log-capture';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';

const GET_ORDER = { query: '{ getOrder(id: "o1") { id status } }' };
const GET_MISSING = { query: '{ getOrder(id: "nope") { id } }' };

interface GatewayOptions {
  endpoint: string[];
  upstream?: UpstreamPolicyOptions;
  logs?: LogCapture;
}

/** A gateway with one gRPC source `orders` over the given endpoints; always closed. */
async function withGateway(options: GatewayOptions, run: (gateway: TestGateway) => Promise<void>): Promise<void> {
  const logger = options.logs && createLogger({ level: 'warn', destination: options.logs.stream });
  const gateway = await startTestGateway(
    {
      sources: [
        {
          name: 'orders',
          kind: 'grpc',
          proto: './sources/orders/orders.proto',
          endpoint: options.endpoint,
          timeoutMs: 3000,
          upstream: options.upstream,
        },
      ],
      bffs: { web: './test/fixtures/bff/open.ts' },
    },
    undefined,
    logger,
  );
  try {
    await run(gateway);
  } finally {
    await gateway.close();
  }
}

const readiness = async (gateway: TestGateway) => (await (await gateway.fetch('/readyz')).json()).upstreams;
const metricsText = async (gateway: TestGateway) => (await gateway.fetch('/metrics')).text();

describe('a gRPC source with several endpoints', () => {
  let first: OrdersBackend;
  let second: OrdersBackend;

  beforeAll(async () => {
    [first, second] = await Promise.all([startOrdersBackend(), startOrdersBackend()]);
  });
  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
  });
  beforeEach(() => {
    for (const backend of [first, second]) {
      backend.calls.reset();
      backend.faults.clear();
    }
  });

  it('balances calls round-robin over both endpoints', async () => {
    await withGateway({ endpoint: [first.url, second.url] }, async (gateway) => {
      for (let call = 0; call < 10; call++) {
        expect((await gateway.query('web', GET_ORDER)).body).toEqual({
          data: { getOrder: { id: 'o1', status: 'PENDING' } },
        });
      }
      expect([first.calls.count('GetOrder'), second.calls.count('GetOrder')]).toEqual([5, 5]);
    });
  });

  it('opens the breaker of an endpoint answering UNAVAILABLE, ejects it, and sends every later call to the healthy one', async () => {
    first.faults.set('GetOrder', { status: grpc.status.UNAVAILABLE, message: 'draining' });
    const logs = captureLogs();
    const upstream: UpstreamPolicyOptions = {
      retry: { baseDelayMs: 0 },
      circuitBreaker: { minimumCalls: 2, failureRateThreshold: 0.5, coolDownMs: 60_000 },
      outlierDetection: { consecutiveFailures: 2, ejectionMs: 60_000 },
    };
    await withGateway({ endpoint: [first.url, second.url], upstream, logs }, async (gateway) => {
      for (let call = 0; call < 10; call++) {
        // Queries are idempotent: a call that hits the failing endpoint is retried on the other one.
        expect((await gateway.query('web', GET_ORDER)).body).toEqual({
          data: { getOrder: { id: 'o1', status: 'PENDING' } },
        });
      }
      expect(first.calls.count('GetOrder')).toBe(2);
      expect(second.calls.count('GetOrder')).toBe(10);
      expect(await logs.next('upstream circuit breaker changed state')).toMatchObject({
        source: 'orders',
        endpoint: first.url,
        state: 'open',
      });
      expect(await readiness(gateway)).toEqual([
        {
          source: 'orders',
          endpoints: [
            { endpoint: first.url, backup: false, circuit: 'open', ejected: true, outstanding: 0 },
            { endpoint: second.url, backup: false, circuit: 'closed', ejected: false, outstanding: 0 },
          ],
        },
      ]);
      const metrics = await metricsText(gateway);
      expect(metrics).toContain(`loom_upstream_circuit_state{source="orders",endpoint="${first.url}"} 1`);
      expect(metrics).toContain(`loom_upstream_circuit_state{source="orders",endpoint="${second.url}"} 0`);
      expect(metrics).toContain(`loom_upstream_endpoint_ejections_total{source="orders",endpoint="${first.url}"} 1`);
      expect(metrics).toContain('loom_upstream_retries_total{source="orders"} 2');
    });
  });

  it('fails over from an endpoint nobody listens on (connection refused) to the healthy one', async () => {
    const gone = await startOrdersBackend();
    const goneUrl = gone.url;
    await gone.close();
    const upstream: UpstreamPolicyOptions = {
      retry: { baseDelayMs: 0 },
      circuitBreaker: { minimumCalls: 2, coolDownMs: 60_000 },
    };
    await withGateway({ endpoint: [goneUrl, second.url], upstream }, async (gateway) => {
      for (let call = 0; call < 6; call++) {
        expect((await gateway.query('web', GET_ORDER)).body.errors).toBeUndefined();
      }
      expect(second.calls.count('GetOrder')).toBe(6);
      const [{ endpoints }] = await readiness(gateway);
      expect(endpoints.map((entry: { endpoint: string; circuit: string }) => [entry.endpoint, entry.circuit])).toEqual([
        [goneUrl, 'open'],
        [second.url, 'closed'],
      ]);
    });
  });

  it('a mutation is not retried on another endpoint: the UNAVAILABLE answer stands', async () => {
    first.faults.set('CreateOrder', { status: grpc.status.UNAVAILABLE });
    await withGateway(
      { endpoint: [first.url, second.url], upstream: { retry: { baseDelayMs: 0 } } },
      async (gateway) => {
        const { body } = await gateway.query('web', {
          query: 'mutation { createOrder(customerId: "1", productIds: ["p1"]) { id } }',
        });
        expect(body.errors?.[0].extensions).toMatchObject({ code: 'GRPC_UNAVAILABLE', source: 'orders' });
        expect([first.calls.count('CreateOrder'), second.calls.count('CreateOrder')]).toEqual([1, 0]);
      },
    );
  });

  it('never counts answers: 100 NOT_FOUND in a row leave every breaker closed and no endpoint ejected', async () => {
    const upstream: UpstreamPolicyOptions = {
      circuitBreaker: { minimumCalls: 2, failureRateThreshold: 0.1 },
      outlierDetection: { consecutiveFailures: 1 },
    };
    await withGateway({ endpoint: [first.url, second.url], upstream }, async (gateway) => {
      for (let call = 0; call < 100; call++) {
        const { body } = await gateway.query('web', GET_MISSING);
        expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['GRPC_NOT_FOUND']);
      }
      expect([first.calls.count('GetOrder'), second.calls.count('GetOrder')]).toEqual([50, 50]);
      const [{ endpoints }] = await readiness(gateway);
      expect(endpoints.map((entry: { circuit: string; ejected: boolean }) => [entry.circuit, entry.ejected])).toEqual([
        ['closed', false],
        ['closed', false],
      ]);
      const metrics = await metricsText(gateway);
      expect(metrics).not.toContain('loom_upstream_endpoint_ejections_total{');
      expect(metrics).not.toContain('loom_upstream_retries_total{');
      expect(metrics).toContain(`loom_upstream_circuit_state{source="orders",endpoint="${first.url}"} 0`);
    });
  });
});
