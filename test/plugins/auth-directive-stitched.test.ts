import { makeExecutableSchema } from '@graphql-tools/schema';
import { stitchSchemas } from '@graphql-tools/stitch';
import { createYoga } from 'graphql-yoga';
import { createBffView } from '../../src/bff/create-bff-view';
import { useAuth } from '../../src/plugins/auth/use-auth';

/** `@auth(requires: [...])` written in a source's SDL still guards the field after stitching and a BFF view. */
describe('@auth directive through stitching and a BFF view', () => {
  let upstreamCalls: string[] = [];
  const source = makeExecutableSchema({
    typeDefs: /* GraphQL */ `
      directive @auth(requires: [String!]!) on FIELD_DEFINITION | OBJECT
      type Query {
        orders: [Order!]! @auth(requires: ["orders:read"])
        status: String
      }
      type Order {
        id: ID!
        total: Float @auth(requires: ["billing:read"])
      }
    `,
    resolvers: {
      Query: {
        orders: () => (upstreamCalls.push('orders'), [{ id: 'o1', total: 9.5 }]),
        status: () => (upstreamCalls.push('status'), 'ok'),
      },
    },
  });
  const schema = createBffView(
    stitchSchemas({ subschemas: [{ schema: source }] }),
    { exclude: ['Query.nothing'] },
    'stitched',
  );
  const keys = [
    { key: 'key-orders-0123456789', id: 'reader', scopes: ['orders:read'] },
    { key: 'key-billing-0123456789', id: 'billing', scopes: ['orders:read', 'billing:read'] },
  ];
  const yoga = createYoga({ schema, logging: false, plugins: [useAuth({ mode: 'optional', apiKey: { keys } })] });
  const post = async (query: string, key?: string) => {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key && { 'x-api-key': key }) },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: await response.json() };
  };
  beforeEach(() => {
    upstreamCalls = [];
  });

  it('refuses a root field without asking the upstream for it', async () => {
    const { status, body } = await post('{ status orders { id } }');
    expect(status).toBe(200);
    expect(body.data).toEqual({ status: 'ok', orders: null });
    expect(body.errors).toEqual([
      expect.objectContaining({ path: ['orders'], extensions: { code: 'FORBIDDEN', requiredScopes: ['orders:read'] } }),
    ]);
    expect(upstreamCalls).toEqual(['status']);
  });

  it('refuses a nested field and serves its siblings', async () => {
    const { body } = await post('{ orders { id total } }', 'key-orders-0123456789');
    expect(body.data).toEqual({ orders: [{ id: 'o1', total: null }] });
    expect(body.errors[0].extensions).toEqual({ code: 'FORBIDDEN', requiredScopes: ['billing:read'] });
  });

  it('serves everything to a caller with every scope', async () => {
    expect((await post('{ orders { id total } }', 'key-billing-0123456789')).body).toEqual({
      data: { orders: [{ id: 'o1', total: 9.5 }] },
    });
  });
});
