import { useAuth } from '../../src/plugins/auth/use-auth';
import { createTestApp } from './plugin-test-app';

const KEYS = [
  { key: 'key-reader-0123456789ab', id: 'reader', scopes: [] },
  { key: 'key-writer-0123456789ab', id: 'writer', scopes: ['shop:write'] },
];
const as = (id: string) => ({ 'x-api-key': KEYS.find((entry) => entry.id === id)!.key });
const RENAME = { query: 'mutation { rename(name: "x") }' };

describe('useAuth operationScopes: anonymous reads, authenticated writes', () => {
  const app = createTestApp([
    useAuth({ mode: 'optional', apiKey: { keys: KEYS }, operationScopes: { mutation: ['shop:write'] } }),
  ]);

  it('serves queries to anonymous callers', async () => {
    expect(await app.post({ query: '{ hello }' })).toMatchObject({ status: 200, body: { data: { hello: 'world' } } });
  });

  it('refuses an anonymous mutation with 401 UNAUTHENTICATED before it runs', async () => {
    const before = app.calls();
    const { status, headers, body } = await app.post(RENAME);
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toBe('Bearer');
    expect(body).toEqual({
      errors: [{ message: 'Authentication required for a mutation', extensions: { code: 'UNAUTHENTICATED' } }],
    });
    expect(app.calls()).toBe(before);
  });

  it('refuses a mutation from a caller without the scope with 403 FORBIDDEN', async () => {
    const before = app.calls();
    const { status, body } = await app.post(RENAME, as('reader'));
    expect(status).toBe(403);
    expect(body).toEqual({
      errors: [{ message: 'A mutation requires scope(s): shop:write', extensions: { code: 'FORBIDDEN' } }],
    });
    expect(app.calls()).toBe(before);
  });

  it('runs the mutation for a caller with the scope', async () => {
    expect(await app.post(RENAME, as('writer'))).toMatchObject({ status: 200, body: { data: { rename: 'x' } } });
  });

  it('picks the operation by operationName in a multi-operation document', async () => {
    const document = 'query Q { hello } mutation M { rename(name: "y") }';
    expect((await app.post({ query: document, operationName: 'Q' })).status).toBe(200);
    expect((await app.post({ query: document, operationName: 'M' })).status).toBe(401);
  });

  it('checks its options at start-up', () => {
    expect(() =>
      useAuth({ mode: 'optional', apiKey: { keys: KEYS }, operationScopes: { mutations: [] } as never }),
    ).toThrow('operationScopes');
    expect(() =>
      useAuth({ mode: 'optional', apiKey: { keys: KEYS }, operationScopes: { mutation: 'shop:write' } as never }),
    ).toThrow('operationScopes.mutation');
  });
});
