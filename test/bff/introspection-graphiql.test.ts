import { DEMO_BFFS, IOT_KEY, startCatalogGateway, type CatalogGateway } from './catalog-gateway';

const INTROSPECTION = '{ __schema { queryType { name } } }';

async function getHtml(gateway: CatalogGateway['gateway'], path: string) {
  const response = await gateway.fetch(path, { headers: { accept: 'text/html' } });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

describe.each([
  // [production, which BFFs answer introspection and serve GraphiQL]
  [false, { web: true, mobile: true, iot: false }],
  [true, { web: true, mobile: false, iot: false }],
])('introspection and GraphiQL per BFF (production: %s)', (production, open) => {
  let demo: CatalogGateway;

  beforeAll(async () => {
    demo = await startCatalogGateway(DEMO_BFFS, { production });
  });
  afterAll(async () => {
    await demo?.close();
  });

  it.each(Object.entries(open))('%s answers introspection: %s', async (bff, allowed) => {
    const { status, body } = await demo.gateway.query(bff, { query: INTROSPECTION }, bff === 'iot' ? IOT_KEY : {});
    if (allowed) {
      expect(status).toBe(200);
      expect(body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    } else {
      expect(status).toBe(400);
      // iot refuses any raw query before validation; mobile refuses introspection itself.
      const code = bff === 'iot' ? 'PERSISTED_QUERY_NOT_FOUND' : 'INTROSPECTION_DISABLED';
      expect(body.errors?.map((error) => error.extensions?.code)).toEqual([code]);
    }
  });

  it.each(Object.entries(open))('%s serves GraphiQL to a browser (else its own page): %s', async (bff, allowed) => {
    const page = await getHtml(demo.gateway, `/${bff}/graphql`);
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html; charset=utf-8');
    if (allowed) {
      expect(page.text).toContain(`<title>${bff} · GraphiQL · Loom</title>`);
      expect(page.text).toContain('/graphiql.js"></script>');
    } else {
      // The BFF's own page instead: no GraphiQL, and no schema.
      expect(page.text).toContain(`<title>${bff} · Loom</title>`);
      expect(page.text).toContain('GraphiQL is off on this BFF.');
      expect(page.text).not.toContain('graphiql.js');
      expect(page.text).not.toMatch(/data-type|getCustomer/);
    }
  });
});
