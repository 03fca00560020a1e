import * as grpc from '@grpc/grpc-js';
import type * as protobuf from 'protobufjs';
import { ORDERS_PROTO, startOrdersBackend, type OrdersBackend } from '../../demo/orders-backend';
import { createLogger } from '../../src/core/logger';
import { GrpcSourceClient } from '../../src/handlers/grpc/grpc-client';
import { listServices, loadProtoRoot } from '../../src/handlers/grpc/load-proto-root';
import type { ShadowResult } from '../../src/upstream/shadow-traffic';
import { captureLogs } from '../observability/log-capture';
import { startTestGateway } from '../helpers/test-gateway';

const getOrder: protobuf.Method = listServices(loadProtoRoot([ORDERS_PROTO], []))[0].methods.GetOrder;

/** Resolves after `count` shadow comparisons, with them. */
function collectResults(count: number) {
  const results: ShadowResult[] = [];
  let done!: (results: ShadowResult[]) => void;
  const all = new Promise<ShadowResult[]>((resolve) => (done = resolve));
  const onShadowResult = (result: ShadowResult) => {
    results.push(result);
    if (results.length === count) done(results);
  };
  return { onShadowResult, all };
}

describe('shadowing a gRPC source', () => {
  let primary: OrdersBackend;
  let shadow: OrdersBackend;

  beforeAll(async () => {
    [primary, shadow] = await Promise.all([startOrdersBackend(), startOrdersBackend()]);
  });
  afterAll(async () => {
    await Promise.all([primary?.close(), shadow?.close()]);
  });
  beforeEach(() => {
    for (const backend of [primary, shadow]) {
      backend.calls.reset();
      backend.faults.clear();
    }
  });

  it('mirrors the configured share of unary calls and compares answers, match by match', async () => {
    // ratio 0.25 with a random source cycling 0.1, 0.4, 0.6, 0.9: exactly one call in four is mirrored.
    const draws = [0.1, 0.4, 0.6, 0.9];
    let draw = 0;
    const { onShadowResult, all } = collectResults(5);
    const client = new GrpcSourceClient({
      source: 'orders',
      endpoints: [primary.url],
      timeoutMs: 3000,
      connectTimeoutMs: 3000,
      headers: {},
      forwardHeaders: [],
      credentials: grpc.credentials.createInsecure(),
      upstream: { shadow: { endpoint: shadow.url, ratio: 0.25 } },
      random: () => draws[draw++ % draws.length],
      onShadowResult,
    });
    try {
      for (let call = 0; call < 20; call++)
        expect(await client.unary(getOrder, { id: 'o1' }, undefined)).toMatchObject({ id: 'o1' });
      const results = await all;
      expect(results.map((result) => result.result)).toEqual(['match', 'match', 'match', 'match', 'match']);
      expect(primary.calls.count('GetOrder')).toBe(20);
      expect(shadow.calls.count('GetOrder')).toBe(5);
    } finally {
      await client.close();
    }
  });

  it('never lets the shadow change the answer: a failing or hanging shadow is only reported', async () => {
    const { onShadowResult, all } = collectResults(2);
    const client = new GrpcSourceClient({
      source: 'orders',
      endpoints: [primary.url],
      timeoutMs: 3000,
      connectTimeoutMs: 3000,
      headers: {},
      forwardHeaders: [],
      credentials: grpc.credentials.createInsecure(),
      upstream: { shadow: { endpoint: shadow.url, ratio: 1, timeoutMs: 200 } },
      onShadowResult,
    });
    try {
      shadow.faults.set('GetOrder', { status: grpc.status.NOT_FOUND });
      expect(await client.unary(getOrder, { id: 'o1' }, undefined)).toMatchObject({ id: 'o1', status: 'PENDING' });
      shadow.faults.set('GetOrder', 'hang');
      expect(await client.unary(getOrder, { id: 'o2' }, undefined)).toMatchObject({ id: 'o2' });
      const [differs, hung] = await all;
      expect(differs).toMatchObject({
        result: 'mismatch',
        differences: ['status', 'body'],
        primary: { status: grpc.status.OK },
        shadow: { status: grpc.status.NOT_FOUND },
      });
      expect(hung).toMatchObject({ result: 'error', primary: { status: grpc.status.OK } });
    } finally {
      await client.close();
    }
  });

  it('through the gateway: answers from the primary, counts the mirrored call and logs the mismatch', async () => {
    shadow.faults.set('GetOrder', { status: grpc.status.NOT_FOUND });
    const logs = captureLogs();
    const gateway = await startTestGateway(
      {
        sources: [
          {
            name: 'orders',
            kind: 'grpc',
            proto: './sources/orders/orders.proto',
            endpoint: [primary.url],
            upstream: { shadow: { endpoint: shadow.url, ratio: 1 } },
          },
        ],
        bffs: { web: './test/fixtures/bff/open.ts' },
      },
      undefined,
      createLogger({ level: 'warn', destination: logs.stream }),
    );
    try {
      const { body } = await gateway.query('web', { query: '{ getOrder(id: "o1") { id status } }' });
      expect(body).toEqual({ data: { getOrder: { id: 'o1', status: 'PENDING' } } });
      expect(await logs.next('shadow answer differs from primary')).toMatchObject({
        source: 'orders',
        primaryStatus: 0,
        shadowStatus: grpc.status.NOT_FOUND,
      });
      expect(shadow.calls.count('GetOrder')).toBe(1);
      const metrics = await (await gateway.fetch('/metrics')).text();
      expect(metrics).toContain('loom_upstream_shadow_requests_total{source="orders",result="mismatch"} 1');
      expect(metrics).toContain('loom_upstream_shadow_mismatches_total{source="orders"} 1');
    } finally {
      await gateway.close();
    }
  });
});
