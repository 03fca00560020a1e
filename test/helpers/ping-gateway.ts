import type { OrdersBackend } from '../../demo/orders-backend';
import type { HttpServerLimits } from '../../src/config/http-server-limits';
import { REPO_ROOT, startTestGateway, type TestGateway } from './test-gateway';

/** A gateway on a real socket with one query, `ping`, from the demo orders backend (gRPC), behind an open BFF at /web. */
export function startPingGateway(orders: OrdersBackend, server?: HttpServerLimits): Promise<TestGateway> {
  return startTestGateway(
    {
      sources: [
        {
          name: 'orders',
          kind: 'grpc',
          proto: './sources/orders/orders.proto',
          endpoint: orders.url,
          methods: { Ping: 'query' },
        },
      ],
      bffs: { web: './test/fixtures/bff/open.ts' },
      ...(server && { server }),
    },
    REPO_ROOT,
    { socket: true },
  );
}
