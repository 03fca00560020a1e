import { SignJWT, exportSPKI, generateKeyPair, type KeyLike } from 'jose';
import type { Plugin } from 'graphql-yoga';
import { useAuth } from '../../src/plugins/auth/use-auth';
import { createTestApp } from './plugin-test-app';

const SECRET = 'a-test-only-hs256-secret-of-32-chars!!';
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'loom-web';

async function hsToken(
  claims: Record<string, unknown> = {},
  options: { secret?: string; issuer?: string; expiresIn?: string | number } = {},
) {
  let jwt = new SignJWT({ scope: 'secret:read orders:read', plan: 'pro', ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('user-1')
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt();
  jwt = jwt.setExpirationTime(options.expiresIn ?? '5m');
  return jwt.sign(new TextEncoder().encode(options.secret ?? SECRET));
}

function unsignedToken(): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: 'attacker', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 60 })}.`;
}

// Compile-time check: the factory returns an envelop/yoga plugin.
const _typed: Plugin = useAuth({ mode: 'off' });

describe('useAuth with HS256 JWTs', () => {
  const app = createTestApp([
    useAuth({ mode: 'required', jwt: { secret: SECRET, issuer: ISSUER, audience: AUDIENCE } }),
  ]);

  it('serves a valid token and sets context.identity from its claims', async () => {
    const { status, body } = await app.post({ query: '{ whoami }' }, { authorization: `Bearer ${await hsToken()}` });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { whoami: 'jwt:user-1:pro' } });
  });

  it.each([
    ['no credentials', async () => undefined, 'Authentication required'],
    [
      'an expired token',
      async () => hsToken({}, { expiresIn: Math.floor(Date.now() / 1000) - 3600 }),
      'Invalid token: token expired',
    ],
    [
      'a wrong issuer',
      async () => hsToken({}, { issuer: 'https://evil.test' }),
      'Invalid token: claim "iss" is not accepted',
    ],
    [
      'a wrong key',
      async () => hsToken({}, { secret: 'another-secret-that-is-32-chars-long!!' }),
      'Invalid token: signature does not verify',
    ],
    ['alg none', async () => unsignedToken(), 'Invalid token: algorithm not allowed'],
    ['garbage', async () => 'not.a.jwt', 'Invalid token: malformed token'],
  ])('refuses %s with 401 UNAUTHENTICATED and no resolver call', async (_name, makeToken, message) => {
    const before = app.calls();
    const token = await makeToken();
    const { status, headers, body } = await app.post(
      { query: '{ hello }' },
      token ? { authorization: `Bearer ${token}` } : {},
    );
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toBe('Bearer');
    expect(body.errors).toEqual([{ message, extensions: { code: 'UNAUTHENTICATED' } }]);
    expect(body.data).toBeUndefined();
    expect(app.calls()).toBe(before);
  });

  it('refuses a non-Bearer authorization header', async () => {
    const { status, body } = await app.post({ query: '{ hello }' }, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(status).toBe(401);
    expect(body.errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a token without exp by default, and serves it only when allowed explicitly', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('user-1')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .sign(new TextEncoder().encode(SECRET));
    const before = app.calls();
    const refused = await app.post({ query: '{ hello }' }, { authorization: `Bearer ${token}` });
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({
      errors: [{ message: 'Invalid token: claim "exp" is required', extensions: { code: 'UNAUTHENTICATED' } }],
    });
    expect(app.calls()).toBe(before);

    const lenient = createTestApp([
      useAuth({
        mode: 'required',
        jwt: { secret: SECRET, issuer: ISSUER, audience: AUDIENCE, allowTokensWithoutExpiry: true },
      }),
    ]);
    const served = await lenient.post({ query: '{ whoami }' }, { authorization: `Bearer ${token}` });
    expect(served.status).toBe(200);
    expect(served.body).toEqual({ data: { whoami: 'jwt:user-1:' } });
  });

  it('refuses a token for another audience', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience('other')
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(SECRET));
    const { status, body } = await app.post({ query: '{ hello }' }, { authorization: `Bearer ${token}` });
    expect(status).toBe(401);
    expect(body.errors[0].message).toBe('Invalid token: claim "aud" is not accepted');
  });
});

describe('useAuth with RS256 and ES256 public keys', () => {
  let rsa: { publicKey: KeyLike; privateKey: KeyLike };
  let ec: { publicKey: KeyLike; privateKey: KeyLike };
  beforeAll(async () => {
    rsa = await generateKeyPair('RS256');
    ec = await generateKeyPair('ES256');
  });

  it.each(['RS256', 'ES256'] as const)('verifies %s and refuses the other key type', async (alg) => {
    const pair = alg === 'RS256' ? rsa : ec;
    const other = alg === 'RS256' ? ec : rsa;
    const app = createTestApp([useAuth({ jwt: { publicKey: await exportSPKI(pair.publicKey), algorithms: [alg] } })]);
    const good = await new SignJWT({ scope: ['a', 'b'] })
      .setProtectedHeader({ alg })
      .setSubject('svc')
      .setExpirationTime('1m')
      .sign(pair.privateKey);
    expect((await app.post({ query: '{ whoami }' }, { authorization: `Bearer ${good}` })).body).toEqual({
      data: { whoami: 'jwt:svc:' },
    });
    const otherAlg = alg === 'RS256' ? 'ES256' : 'RS256';
    const bad = await new SignJWT({})
      .setProtectedHeader({ alg: otherAlg })
      .setSubject('svc')
      .setExpirationTime('1m')
      .sign(other.privateKey);
    const refused = await app.post({ query: '{ whoami }' }, { authorization: `Bearer ${bad}` });
    expect(refused.status).toBe(401);
    expect(refused.body.errors[0].message).toBe('Invalid token: algorithm not allowed');
  });

  it('refuses an HS256 token signed with the public key text (algorithm confusion)', async () => {
    const pem = await exportSPKI(rsa.publicKey);
    const app = createTestApp([useAuth({ jwt: { publicKey: pem, algorithms: ['RS256'] } })]);
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(pem));
    const { status, body } = await app.post({ query: '{ hello }' }, { authorization: `Bearer ${forged}` });
    expect(status).toBe(401);
    expect(body.errors[0].message).toBe('Invalid token: algorithm not allowed');
  });
});

describe('useAuth modes', () => {
  it('optional: anonymous callers pass, bad tokens are still refused', async () => {
    const app = createTestApp([useAuth({ mode: 'optional', jwt: { secret: SECRET } })]);
    expect((await app.post({ query: '{ whoami }' })).body).toEqual({ data: { whoami: 'anonymous::' } });
    const refused = await app.post({ query: '{ whoami }' }, { authorization: 'Bearer x.y.z' });
    expect(refused.status).toBe(401);
    expect(refused.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('off: ignores credentials entirely', async () => {
    const app = createTestApp([useAuth({ mode: 'off' })]);
    const { status, body } = await app.post({ query: '{ whoami }' }, { authorization: 'Bearer junk' });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { whoami: 'anonymous::' } });
  });

  it('fails at start-up on bad options', () => {
    expect(() => useAuth({ mode: 'required' })).toThrow(
      'useAuth: mode "required" needs at least one of jwt, oauth, apiKey, hmac, clientCert',
    );
    expect(() => useAuth({ jwt: { secret: 'short' } })).toThrow('useAuth jwt: secret must be at least 32 characters');
    expect(() => useAuth({ jwt: { secret: SECRET, jwksUrl: 'http://127.0.0.1/jwks' } })).toThrow(
      'give exactly one of secret, publicKey, jwksUrl',
    );
    expect(() => useAuth({ mode: 'sometimes' as 'off' })).toThrow(
      'useAuth: mode must be one of required, optional, off',
    );
    expect(() => useAuth({ jwt: { secret: SECRET, algorithms: ['RS256'] } })).toThrow('a secret only verifies HS256');
  });
});
