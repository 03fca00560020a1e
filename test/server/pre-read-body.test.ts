import { Readable } from 'node:stream';
import { normalizeNodeRequest } from '@whatwg-node/server';
import { fetch as fetchApi } from '@whatwg-node/fetch';
import { startOrdersBackend, type OrdersBackend } from '../../demo/orders-backend';
import type { TestGateway } from '../helpers/test-gateway';
import { startPingGateway } from '../helpers/ping-gateway';

/**
 * POST bodies up to 1 MiB are read by Loom's listener and handed to Yoga as a
 * Buffer on `req.body` (src/server/read-small-body.ts). whatwg-node's server
 * asked `Object.keys(body).length > 0` of it, which lists every index of a
 * Buffer: a million strings and about 240 ms for a 1 MiB body, on every such
 * request a client sends (patches/@whatwg-node+server).
 */
describe('a body read ahead of Yoga', () => {
  const body = Buffer.from(
    JSON.stringify({ query: '{ ping { message } }', extensions: { pad: 'x'.repeat(1_000_000) } }),
  );

  it('becomes the request body without its indices being listed', async () => {
    const nodeRequest = Object.assign(Readable.from([]), {
      method: 'POST',
      url: '/web/graphql',
      headers: { host: '127.0.0.1', 'content-type': 'application/json' },
      body,
    });
    const keys = jest.spyOn(Object, 'keys');
    try {
      const request = normalizeNodeRequest(nodeRequest as never, { ...fetchApi, Request } as never);
      expect(keys.mock.calls.some(([value]) => value === body)).toBe(false);
      expect(Buffer.from(await request.arrayBuffer()).equals(body)).toBe(true);
    } finally {
      keys.mockRestore();
    }
  });

  describe('through the gateway', () => {
    let orders: OrdersBackend;
    let gateway: TestGateway;
    beforeAll(async () => {
      orders = await startOrdersBackend();
      gateway = await startPingGateway(orders);
    });
    afterAll(async () => {
      await gateway?.close();
      await orders?.close();
    });

    it('answers a query padded to just under 1 MiB, and an empty body with 400', async () => {
      expect(body.length).toBeLessThan(1_048_576);
      const padded = await fetch(`${gateway.url}/web/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(padded.status).toBe(200);
      expect(await padded.json()).toEqual({ data: { ping: { message: expect.any(String) } } });
      const empty = await fetch(`${gateway.url}/web/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '',
      });
      expect(empty.status).toBe(400);
    });
  });
});
