import { useAuth } from '../../src/plugins/auth/use-auth';
import { createTestApp } from './plugin-test-app';

const KEYS = [
  { key: 'key-free-0123456789abcdef', id: 'client-free', plan: 'free', scopes: [] },
  { key: 'key-pro-0123456789abcdef', id: 'client-pro', plan: 'pro', scopes: ['secret:read'] },
];

describe('useAuth with API keys', () => {
  it('accepts a listed key in the header and exposes id and plan, never the key', async () => {
    const app = createTestApp([useAuth({ apiKey: { keys: KEYS } })]);
    const { status, body } = await app.post({ query: '{ whoami }' }, { 'x-api-key': 'key-pro-0123456789abcdef' });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { whoami: 'apiKey:client-pro:pro' } });
  });

  it.each([
    ['a missing key', {}, 'Authentication required'],
    ['an unknown key', { 'x-api-key': 'key-unknown-0123456789' }, 'Invalid API key'],
    ['an empty key', { 'x-api-key': '' }, 'Invalid API key'],
  ])('refuses %s with 401 and no resolver call', async (_name, headers, message) => {
    const app = createTestApp([useAuth({ apiKey: { keys: KEYS } })]);
    const { status, body } = await app.post({ query: '{ hello }' }, headers);
    expect(status).toBe(401);
    expect(body.errors).toEqual([{ message, extensions: { code: 'UNAUTHENTICATED' } }]);
    expect(app.calls()).toBe(0);
  });

  it('reads the key from a custom header or a query parameter when configured', async () => {
    const app = createTestApp([useAuth({ apiKey: { keys: KEYS, header: 'X-Client-Key', queryParam: 'api_key' } })]);
    expect(
      (await app.post({ query: '{ whoami }' }, { 'x-client-key': 'key-free-0123456789abcdef' })).body.data.whoami,
    ).toBe('apiKey:client-free:free');
    const response = await app.request({
      path: `/graphql?api_key=key-free-0123456789abcdef&query=${encodeURIComponent('{ whoami }')}`,
      method: 'GET',
      headers: { accept: 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { whoami: 'apiKey:client-free:free' } });
    // The default header is not read once another one is configured.
    expect((await app.post({ query: '{ hello }' }, { 'x-api-key': 'key-free-0123456789abcdef' })).status).toBe(401);
  });

  it('ignores the query parameter unless configured', async () => {
    const app = createTestApp([useAuth({ apiKey: { keys: KEYS } })]);
    const response = await app.request({
      path: `/graphql?api_key=key-free-0123456789abcdef&query=${encodeURIComponent('{ hello }')}`,
      method: 'GET',
    });
    expect(response.status).toBe(401);
  });

  it('asks a lookup function for keys not in the list', async () => {
    const looked: string[] = [];
    const app = createTestApp([
      useAuth({
        apiKey: {
          keys: KEYS,
          lookup: async (key) => {
            looked.push(key);
            return key === 'db-key-0123456789' ? { id: 'from-db', plan: 'enterprise', scopes: ['admin'] } : null;
          },
        },
      }),
    ]);
    expect((await app.post({ query: '{ whoami }' }, { 'x-api-key': 'db-key-0123456789' })).body.data.whoami).toBe(
      'apiKey:from-db:enterprise',
    );
    expect(
      (await app.post({ query: '{ whoami }' }, { 'x-api-key': 'key-pro-0123456789abcdef' })).body.data.whoami,
    ).toBe('apiKey:client-pro:pro');
    expect((await app.post({ query: '{ whoami }' }, { 'x-api-key': 'nope-nope-nope-nope' })).status).toBe(401);
    expect(looked).toEqual(['db-key-0123456789', 'nope-nope-nope-nope']);
  });

  it('accepts either a JWT or an API key when both are configured', async () => {
    const app = createTestApp([useAuth({ jwt: { secret: 'x'.repeat(32) }, apiKey: { keys: KEYS } })]);
    expect((await app.post({ query: '{ whoami }' }, { 'x-api-key': 'key-free-0123456789abcdef' })).status).toBe(200);
    // A bad bearer token is not rescued by a good key: the presented credential is the one judged.
    expect(
      (
        await app.post(
          { query: '{ whoami }' },
          { authorization: 'Bearer bad', 'x-api-key': 'key-free-0123456789abcdef' },
        )
      ).status,
    ).toBe(401);
  });

  it('fails at start-up on bad key lists', () => {
    expect(() => useAuth({ apiKey: {} })).toThrow('useAuth apiKey: give keys, lookup, issued: true, or several');
    expect(() => useAuth({ apiKey: { keys: [{ key: 'short', id: 'a' }] } })).toThrow(
      'keys[0] ("a") is shorter than 16 characters',
    );
    expect(() => useAuth({ apiKey: { keys: [KEYS[0], { ...KEYS[0], id: 'dup' }] } })).toThrow(
      'keys[1] ("dup") repeats another key',
    );
  });
});
