import { CallCounter } from '../../demo/call-counter';
import { sendJson, startHttpBackend, type RunningBackend } from '../../demo/http-backend';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';

/**
 * transport-rest attaches response metadata ($statusCode, $field, ...) to the
 * objects an operation returns only where something reads it (patches/): an
 * OpenAPI link (its resolver reads `$field` and `$response`) still works, a
 * plain object type answers as before, and an abstract return type keeps it
 * (openapi-discriminator.test.ts).
 */
describe('OpenAPI answers read through response metadata', () => {
  let backend: RunningBackend;
  let gateway: TestGateway;
  const calls = new CallCounter();

  beforeAll(async () => {
    backend = await startHttpBackend(
      (_req, res, url) => {
        const parts = url.pathname.split('/').filter(Boolean);
        if (url.pathname === '/me') return sendJson(res, 200, { id: 'u1', name: 'Ada' });
        if (parts[0] === 'users' && parts.length === 3)
          return sendJson(res, 200, [
            { id: `${parts[1]}-o1`, total: 5 },
            { id: `${parts[1]}-o2`, total: 7.5 },
          ]);
        return sendJson(res, 404, { message: `no user ${parts[1]}` });
      },
      {},
      calls,
      new Map(),
    );
    gateway = await startTestGateway({
      sources: [
        {
          name: 'people',
          kind: 'openapi',
          spec: './test/fixtures/openapi/response-metadata.yaml',
          endpoint: backend.url,
        },
      ],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await backend?.close();
  });

  it('follows an OpenAPI link from the returned object', async () => {
    const { body } = await gateway.query('web', { query: '{ getMe { id orders { id total } } }' });
    expect(body).toEqual({
      data: {
        getMe: {
          id: 'u1',
          orders: [
            { id: 'u1-o1', total: 5 },
            { id: 'u1-o2', total: 7.5 },
          ],
        },
      },
    });
  });

  it('answers a plain object type (no metadata readers) as parsed', async () => {
    const { body } = await gateway.query('web', { query: '{ listUserOrders(userId: "u7") { id total } } ' });
    expect(body).toEqual({
      data: {
        listUserOrders: [
          { id: 'u7-o1', total: 5 },
          { id: 'u7-o2', total: 7.5 },
        ],
      },
    });
  });
});
