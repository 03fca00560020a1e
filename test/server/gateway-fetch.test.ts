import { startCatalogBackend, type CatalogBackend } from '../../demo/catalog-backend';
import { validateConfig } from '../../src/config/validate-config';
import { createGateway, type Gateway } from '../../src/server/create-gateway';
import { REPO_ROOT } from '../helpers/test-gateway';

/** The whole HTTP surface through `gateway.fetch`: no listener, no socket, no port. */
describe('createGateway().fetch serves without a socket', () => {
  let backend: CatalogBackend;
  let gateway: Gateway;

  beforeAll(async () => {
    backend = await startCatalogBackend({ apiKey: 'fetch-test-key' });
    const config = validateConfig(
      {
        sources: [
          {
            name: 'catalog',
            kind: 'openapi',
            spec: './sources/catalog/openapi.yaml',
            endpoint: backend.url,
            headers: { 'x-api-key': 'fetch-test-key' },
          },
        ],
        bffs: { web: './test/fixtures/bff/open.ts' },
      },
      '<test>',
      REPO_ROOT,
    );
    gateway = await createGateway({ config });
  });
  afterAll(async () => {
    await gateway?.close();
    await backend?.close();
  });

  const get = (path: string) => gateway.fetch(new Request(`http://loom.internal${path}`));

  it('answers a query on /<bff>/graphql with one upstream call', async () => {
    backend.calls.reset();
    const response = await gateway.fetch(
      new Request('http://loom.internal/web/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query: '{ getCustomer(id: "3") { id name } }' }),
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { getCustomer: { id: '3', name: 'Customer 3' } } });
    expect(backend.calls.count()).toBe(1);
  });

  it('answers /healthz, /readyz, /metrics, the portal and unknown paths', async () => {
    expect([(await get('/healthz')).status, await (await get('/healthz')).json()]).toEqual([200, { status: 'ok' }]);
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      ready: true,
      sources: [{ name: 'catalog', kind: 'openapi', loaded: true }],
    });
    const metrics = await get('/metrics');
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await metrics.text()).toContain('loom_requests_total');
    const portal = await get('/');
    expect(portal.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await portal.text()).toContain('/web/graphql');
    const unknown = await get('/nope');
    expect([unknown.status, await unknown.json()]).toEqual([404, { error: 'not found', bffs: ['/web/graphql'] }]);
  });
});
