import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { useVariableErrorCodes } from '../../src/plugins/use-variable-error-codes';
import { startCatalogBackend, type CatalogBackend } from '../../demo/catalog-backend';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';

/** Issue 18: a variable that does not coerce is the client's error and says so with a code, like every other error. */
describe('variable coercion errors', () => {
  let catalog: CatalogBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    catalog = await startCatalogBackend();
    gateway = await startTestGateway({
      sources: [{ name: 'catalog', kind: 'openapi', spec: './sources/catalog/openapi.yaml', endpoint: catalog.url }],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await catalog?.close();
  });

  it.each([
    ['a wrong type', { limit: 'ten' }],
    ['a missing required variable', {}],
  ])('answers 400 BAD_USER_INPUT for %s, with no upstream call', async (_case, variables) => {
    catalog.calls.reset();
    const { status, body } = await gateway.query('web', {
      query: 'query ($limit: Int!) { listProducts(limit: $limit) { id } }',
      variables,
    });
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('$limit'),
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
      }),
    ]);
    expect(catalog.calls.count()).toBe(0);
  });
});

describe('useVariableErrorCodes in a bare Yoga app', () => {
  const plugin: Plugin = useVariableErrorCodes();
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: 'type Query { double(n: Int!): Int! }',
      resolvers: { Query: { double: (_: unknown, { n }: { n: number }) => n * 2 } },
    }),
    plugins: [plugin],
    logging: false,
  });
  const post = async (variables: Record<string, unknown>) => {
    const response = await yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query ($n: Int!) { double(n: $n) }', variables }),
    });
    return { status: response.status, body: await response.json() };
  };

  it('codes a coercion error and leaves a good request alone', async () => {
    expect(await post({ n: 'x' })).toEqual({
      status: 400,
      body: { errors: [expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } })] },
    });
    expect(await post({ n: 2 })).toEqual({ status: 200, body: { data: { double: 4 } } });
  });
});
