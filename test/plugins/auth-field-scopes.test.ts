import { useAuth } from '../../src/plugins/auth/use-auth';
import { createTestApp } from './plugin-test-app';

const KEYS = [
  { key: 'key-basic-0123456789ab', id: 'basic', scopes: [] },
  { key: 'key-pii-0123456789abcd', id: 'pii', scopes: ['pii', 'secret:read'] },
  { key: 'key-admin-0123456789ab', id: 'admin', scopes: ['admin', 'customers:list'] },
];
const as = (id: string) => ({ 'x-api-key': KEYS.find((entry) => entry.id === id)!.key });

describe('field scopes from @auth directives and the BFF config', () => {
  const app = createTestApp([
    useAuth({ mode: 'optional', apiKey: { keys: KEYS }, fieldScopes: { 'Query.customers': ['customers:list'] } }),
  ]);

  it('nulls an unauthorized root field with FORBIDDEN, serves the rest, and never resolves it', async () => {
    const before = app.calls();
    const { status, body } = await app.post({ query: '{ hello secret }' }, as('basic'));
    expect(status).toBe(200);
    expect(body.data).toEqual({ hello: 'world', secret: null });
    expect(body.errors).toEqual([
      {
        message: 'Field "Query.secret" requires scope(s): secret:read',
        locations: [{ line: 1, column: 9 }],
        path: ['secret'],
        extensions: { code: 'FORBIDDEN', requiredScopes: ['secret:read'] },
      },
    ]);
    expect(app.calls()).toBe(before + 1);
  });

  it('serves the field to a caller with the scope', async () => {
    expect((await app.post({ query: '{ hello secret }' }, as('pii'))).body).toEqual({
      data: { hello: 'world', secret: 's3cret' },
    });
  });

  it('applies config scopes per field and type-level @auth to every field of the type', async () => {
    const refused = await app.post({ query: '{ customers { id } admin { stats } hello }' }, as('pii'));
    expect(refused.body.data).toEqual({ customers: null, admin: null, hello: 'world' });
    expect(refused.body.errors.map((error: { extensions: { code: string } }) => error.extensions.code)).toEqual([
      'FORBIDDEN',
      'FORBIDDEN',
    ]);
    const allowed = await app.post({ query: '{ customers(first: 1) { id } admin { stats } }' }, as('admin'));
    expect(allowed.body).toEqual({ data: { customers: [{ id: '1' }], admin: { stats: 42 } } });
  });

  it('nulls a nested field inside a list for each item, keeping sibling fields', async () => {
    const { body } = await app.post({ query: '{ customers(first: 2) { id email } }' }, as('admin'));
    expect(body.data).toEqual({
      customers: [
        { id: '1', email: null },
        { id: '2', email: null },
      ],
    });
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]).toMatchObject({
      message: 'Field "Customer.email" requires scope(s): pii',
      path: ['customers', 'email'],
      extensions: { code: 'FORBIDDEN' },
    });
  });

  it('checks fields reached through fragments and aliases', async () => {
    const { body } = await app.post(
      { query: 'query { a: hello ...F } fragment F on Query { s: secret }' },
      as('basic'),
    );
    expect(body.data).toEqual({ a: 'world', s: null });
    expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('treats anonymous callers as holding no scopes', async () => {
    const { status, body } = await app.post({ query: '{ secret hello }' });
    expect(status).toBe(200);
    expect(body.data).toEqual({ secret: null, hello: 'world' });
  });

  it('rejects unknown coordinates at start-up', () => {
    expect(() => createTestApp([useAuth({ mode: 'off', fieldScopes: { 'Query.nope': ['x'] } })])).toThrow(
      'useAuth: fieldScopes: type Query has no field "nope"',
    );
    expect(() => createTestApp([useAuth({ mode: 'off', fieldScopes: { Ghost: ['x'] } })])).toThrow(
      '"Ghost" is not an object type or Type.field of this BFF',
    );
  });
});
