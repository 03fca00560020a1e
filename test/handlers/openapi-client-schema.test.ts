import { startCatalogBackend, type CatalogBackend } from '../../demo/catalog-backend';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';

/** Issue 18: Mesh's own directives and scalars are how the handler works, not part of the client's graph. */
const MESH_INTERNALS = [
  'httpOperation',
  'transport',
  'discriminator',
  'example',
  'typescript',
  'length',
  'regexp',
  'resolveRoot',
  'statusCodeTypeName',
  'enum',
  'ObjMap',
  'HTTPMethod',
];

describe('OpenAPI sources expose only what clients use', () => {
  let catalog: CatalogBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    catalog = await startCatalogBackend();
    gateway = await startTestGateway({
      sources: [
        { name: 'catalog', kind: 'openapi', spec: './sources/catalog/openapi.yaml', endpoint: catalog.url },
        {
          name: 'museum',
          kind: 'openapi',
          spec: './test/fixtures/real/openapi/redocly-museum.yaml',
          endpoint: 'http://127.0.0.1:9',
        },
      ],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await catalog?.close();
  });

  it('has no Mesh directive or scalar in the introspected schema', async () => {
    const { body } = await gateway.query('web', { query: '{ __schema { directives { name } types { name } } }' });
    const schema = body.data!.__schema;
    const names = [
      ...schema.directives.map((directive: { name: string }) => directive.name),
      ...schema.types.map((type: { name: string }) => type.name),
    ];
    expect(names.filter((name) => MESH_INTERNALS.includes(name))).toEqual([]);
  });

  it('still executes through the handler (which needs those directives internally)', async () => {
    const { body } = await gateway.query('web', {
      query: '{ getCustomer(id: "2") { id name } listProducts(limit: 1) { id } }',
    });
    expect(body).toEqual({ data: { getCustomer: { id: '2', name: 'Customer 2' }, listProducts: [{ id: 'p1' }] } });
  });
});
