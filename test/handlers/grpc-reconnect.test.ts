import { startOrdersBackend, type OrdersBackend } from '../../demo/orders-backend';
import { validateConfig } from '../../src/config/validate-config';
import { createLogger } from '../../src/core/logger';
import { captureLogs, type LogCapture } from '../observability/log-capture';
import { startTcpFaultProxy, type TcpFaultProxy } from '../helpers/tcp-fault-proxy';
import { REPO_ROOT, startTestGateway, type GraphqlResponse, type TestGateway } from '../helpers/test-gateway';

const GET_ORDER = { query: '{ getOrder(id: "o1") { id status } }' };

/**
 * Calls after healing until one succeeds. Each failing call costs at most the
 * source timeout (300 ms), so the bound is a count of calls, not a clock. On a
 * loaded machine a call may reach the healed backend and still miss its
 * deadline: each gateway call makes at most one upstream call (no retries), so
 * the backend sees between 1 and `calls` of them.
 */
async function firstSuccess(gateway: TestGateway, maxCalls: number): Promise<{ calls: number; last: GraphqlResponse }> {
  let last = await gateway.query('web', GET_ORDER);
  let calls = 1;
  while (last.body.errors && calls < maxCalls) {
    last = await gateway.query('web', GET_ORDER);
    calls += 1;
  }
  return { calls, last };
}

describe('a gRPC source whose endpoint accepts TCP but never speaks HTTP/2, then heals', () => {
  let orders: OrdersBackend;
  let proxy: TcpFaultProxy;
  let gateway: TestGateway;
  let logs: LogCapture;

  beforeAll(async () => {
    orders = await startOrdersBackend();
    proxy = await startTcpFaultProxy(orders.url, 'blackhole');
    logs = captureLogs();
    gateway = await startTestGateway(
      {
        sources: [
          {
            name: 'orders',
            kind: 'grpc',
            proto: './sources/orders/orders.proto',
            endpoint: proxy.address,
            timeoutMs: 300,
            connectTimeoutMs: 500,
            // The channel alone must recover: no breaker to wait out, no retries to count.
            upstream: { circuitBreaker: false, retry: false },
          },
        ],
        bffs: { web: './test/fixtures/bff/open.ts' },
      },
      REPO_ROOT,
      createLogger({ level: 'warn', destination: logs.stream }),
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await proxy?.close();
    await orders?.close();
  });

  it('fails with a timeout or unavailable code while black-holed, then answers after healing without a restart', async () => {
    const codes = new Set<string>();
    for (let call = 0; call < 4; call += 1) {
      const { status, body } = await gateway.query('web', GET_ORDER);
      expect(status).toBe(200);
      expect(body.data).toEqual({ getOrder: null });
      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0].extensions).toMatchObject({ source: 'orders' });
      codes.add(body.errors?.[0].extensions?.code);
    }
    // Waiting for the handshake: DEADLINE_EXCEEDED; caught waiting when the stuck channel is replaced: UNAVAILABLE.
    expect([...codes].filter((code) => code !== 'GRPC_DEADLINE_EXCEEDED' && code !== 'GRPC_UNAVAILABLE')).toEqual([]);
    expect(codes.has('GRPC_DEADLINE_EXCEEDED')).toBe(true);
    expect(orders.calls.count('GetOrder')).toBe(0);
    expect(proxy.accepted.blackhole).toBeGreaterThanOrEqual(1);
    expect(await logs.next('grpc channel stuck connecting; replaced by a new one')).toMatchObject({
      level: 40,
      source: 'orders',
      endpoint: proxy.address,
    });

    proxy.mode = 'forward';
    const { calls, last } = await firstSuccess(gateway, 8);
    expect(last.body).toEqual({ data: { getOrder: { id: 'o1', status: 'PENDING' } } });
    expect(orders.calls.count('GetOrder')).toBeGreaterThanOrEqual(1);
    expect(orders.calls.count('GetOrder')).toBeLessThanOrEqual(calls);
    expect(proxy.accepted.forward).toBeGreaterThanOrEqual(1);

    // Healed for good: the next calls take the new connection (one miss allowed for a stalled machine).
    expect((await firstSuccess(gateway, 2)).last.body.errors).toBeUndefined();
  });
});

it('refuses a gRPC connectTimeoutMs that is not a positive number', () => {
  const source = {
    name: 'orders',
    kind: 'grpc' as const,
    proto: './sources/orders/orders.proto',
    endpoint: '127.0.0.1:1',
    connectTimeoutMs: 0,
  };
  expect(() =>
    validateConfig({ sources: [source], bffs: { web: './test/fixtures/bff/open.ts' } }, 'loom.config.ts', REPO_ROOT),
  ).toThrow('loom.config.ts: source "orders": connectTimeoutMs must be a positive number');
});

describe('two gRPC endpoints, one stuck connecting, then healed', () => {
  let stuck: OrdersBackend;
  let healthy: OrdersBackend;
  let proxy: TcpFaultProxy;
  let gateway: TestGateway;
  let logs: LogCapture;

  beforeAll(async () => {
    [stuck, healthy] = await Promise.all([startOrdersBackend(), startOrdersBackend()]);
    proxy = await startTcpFaultProxy(stuck.url, 'blackhole');
    logs = captureLogs();
    gateway = await startTestGateway(
      {
        sources: [
          {
            name: 'orders',
            kind: 'grpc',
            proto: './sources/orders/orders.proto',
            endpoint: [proxy.address, healthy.url],
            timeoutMs: 300,
            connectTimeoutMs: 500,
            // Plain round-robin, so the stuck endpoint keeps getting its turn and its channel must heal alone.
            upstream: { circuitBreaker: false, outlierDetection: false, retry: false },
          },
        ],
        bffs: { web: './test/fixtures/bff/open.ts' },
      },
      REPO_ROOT,
      createLogger({ level: 'warn', destination: logs.stream }),
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await proxy?.close();
    await Promise.all([stuck?.close(), healthy?.close()]);
  });

  it("replaces only the stuck endpoint's channel; the other endpoint serves throughout, and the healed one serves again", async () => {
    const answers = [];
    for (let call = 0; call < 4; call += 1) answers.push((await gateway.query('web', GET_ORDER)).body);
    // Round-robin: calls 1 and 3 went to the stuck endpoint, 2 and 4 to the healthy one.
    expect(answers.filter((body) => body.errors === undefined)).toHaveLength(2);
    expect(healthy.calls.count('GetOrder')).toBe(2);
    expect(await logs.next('grpc channel stuck connecting; replaced by a new one')).toMatchObject({
      source: 'orders',
      endpoint: proxy.address,
    });

    proxy.mode = 'forward';
    for (let call = 0; call < 8 && stuck.calls.count('GetOrder') === 0; call += 1)
      await gateway.query('web', GET_ORDER);
    expect(stuck.calls.count('GetOrder')).toBe(1);
    const next = [await gateway.query('web', GET_ORDER), await gateway.query('web', GET_ORDER)];
    expect(next.map((answer) => answer.body)).toEqual([
      { data: { getOrder: { id: 'o1', status: 'PENDING' } } },
      { data: { getOrder: { id: 'o1', status: 'PENDING' } } },
    ]);
  });
});
