import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK, type KeyLike } from 'jose';
import { useAuth } from '../../src/plugins/auth/use-auth';
import { createTestApp, type TestApp } from './plugin-test-app';

interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyLike;
  jwk: JWK;
}

async function createSigningKey(kid: string, alg: 'RS256' | 'ES256'): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

const sign = (key: SigningKey, claims: Record<string, unknown> = {}) =>
  new SignJWT({ scope: 'secret:read', ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid })
    .setSubject(`user-of-${key.kid}`)
    .setIssuer('https://idp.test')
    .setExpirationTime('2m')
    .sign(key.privateKey);

describe('useAuth with a JWKS served over HTTP, cached and rotated', () => {
  let server: Server;
  let published: SigningKey[] = [];
  let fetches = 0;
  let app: TestApp;
  let keyA: SigningKey;
  let keyB: SigningKey;

  beforeAll(async () => {
    keyA = await createSigningKey('key-a', 'RS256');
    keyB = await createSigningKey('key-b', 'ES256');
    server = createServer((_req, res) => {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: published.map((key) => key.jwk) }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    // Cooldown 0: an unknown kid refetches at once, which is what rotation needs in a test.
    app = createTestApp([
      useAuth({
        jwt: {
          jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
          issuer: 'https://idp.test',
          jwksCooldownMs: 0,
        },
      }),
    ]);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  });

  it('verifies tokens from the published key and fetches the set once', async () => {
    published = [keyA];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const { status, body } = await app.post({ query: '{ whoami }' }, { authorization: `Bearer ${await sign(keyA)}` });
      expect(status).toBe(200);
      expect(body).toEqual({ data: { whoami: 'jwt:user-of-key-a:' } });
    }
    expect(fetches).toBe(1);
  });

  it('picks up a rotated key on its first unknown kid and drops the retired one', async () => {
    published = [keyB];
    const rotated = await app.post({ query: '{ whoami }' }, { authorization: `Bearer ${await sign(keyB)}` });
    expect(rotated.body).toEqual({ data: { whoami: 'jwt:user-of-key-b:' } });
    expect(fetches).toBe(2);
    const retired = await app.post({ query: '{ whoami }' }, { authorization: `Bearer ${await sign(keyA)}` });
    expect(retired.status).toBe(401);
    expect(retired.body.errors).toEqual([
      { message: 'Invalid token: no matching key', extensions: { code: 'UNAUTHENTICATED' } },
    ]);
  });

  it('refuses a token signed by a key that was never published', async () => {
    const stranger = await createSigningKey('key-b', 'ES256');
    const { status, body } = await app.post(
      { query: '{ whoami }' },
      { authorization: `Bearer ${await sign(stranger)}` },
    );
    expect(status).toBe(401);
    expect(body.errors[0].message).toBe('Invalid token: signature does not verify');
  });

  it('answers 401, not 500, when the JWKS endpoint is gone', async () => {
    const dead = createServer();
    await new Promise<void>((done) => dead.listen(0, '127.0.0.1', done));
    const { port } = dead.address() as AddressInfo;
    await new Promise<void>((done) => dead.close(() => done()));
    const orphan = createTestApp([useAuth({ jwt: { jwksUrl: `http://127.0.0.1:${port}/jwks` } })]);
    const { status, body } = await orphan.post({ query: '{ hello }' }, { authorization: `Bearer ${await sign(keyA)}` });
    expect(status).toBe(401);
    expect(body.errors[0]).toEqual({
      message: 'Invalid token: signing keys unavailable',
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });
});
