import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { SUITE_REDIS_COMMAND_TIMEOUT_MS } from '../fixtures/ratelimit/redis-child';
import { Registry } from 'prom-client';
import { createSilentLogger } from '../../src/core/logger';
import { useAuth, type AuthOptions } from '../../src/plugins/auth/use-auth';
import { useGatewayServices, standaloneServices } from '../../src/plugins/shared/gateway-services';
import type { OAuthIntrospectionOptions } from '../../src/plugins/auth/oauth/create-introspection-verifier';
import { createTestApp } from './plugin-test-app';
import { startIntrospectionServer, type IntrospectionServer } from '../helpers/introspection-server';

const CLIENT_ID = 'loom-gateway';
// Made per run: no secret lives in the repo, not even a test one.
const CLIENT_SECRET = randomUUID();
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('useAuth with OAuth2 opaque tokens (RFC 7662 introspection)', () => {
  let server: IntrospectionServer;
  let redis: Redis;
  const prefix = `test:oauth:${randomUUID()}:`;

  beforeAll(async () => {
    server = await startIntrospectionServer(CLIENT_ID, CLIENT_SECRET);
    redis = new Redis('redis://127.0.0.1:6379');
    server.set('tok-alice', {
      answer: { active: true, sub: 'alice', scope: 'secret:read shop:write', plan: 'pro', exp: nowSeconds() + 3600 },
    });
    server.set('tok-bob', { answer: { active: true, sub: 'bob', scope: 'profile', exp: nowSeconds() + 3600 } });
    server.set('tok-revoked', { answer: { active: false } });
  });
  afterAll(async () => {
    await server.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(keys);
    redis.disconnect();
  });

  const oauth = (extra: Partial<OAuthIntrospectionOptions> = {}): OAuthIntrospectionOptions => ({
    introspectionUrl: server.url,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    ...extra,
  });
  const appWith = (options: AuthOptions) => createTestApp([useAuth(options)]);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('accepts an active token, exposes subject and plan, and asks the endpoint once per token', async () => {
    const app = appWith({ oauth: oauth() });
    const before = server.calls();
    const first = await app.post({ query: '{ whoami }' }, bearer('tok-alice'));
    expect(first).toMatchObject({ status: 200, body: { data: { whoami: 'oauth:alice:pro' } } });
    expect(server.calls()).toBe(before + 1);
    const second = await app.post({ query: '{ whoami }' }, bearer('tok-alice'));
    expect(second.body).toEqual({ data: { whoami: 'oauth:alice:pro' } });
    // A cache hit makes no call.
    expect(server.calls()).toBe(before + 1);
  });

  it('refuses an inactive or unknown token with 401 before any resolver, and caches that too', async () => {
    const app = appWith({ oauth: oauth() });
    const before = server.calls();
    for (const token of ['tok-revoked', 'tok-revoked', 'never-issued-token']) {
      const { status, body, headers } = await app.post({ query: '{ hello }' }, bearer(token));
      expect(status).toBe(401);
      expect(headers.get('www-authenticate')).toBe('Bearer');
      expect(body.errors).toEqual([{ message: 'Invalid token: not active', extensions: { code: 'UNAUTHENTICATED' } }]);
    }
    expect(server.calls()).toBe(before + 2);
    expect(app.calls()).toBe(0);
  });

  it("feeds the answer's scopes to field scopes and operation scopes", async () => {
    const app = appWith({ oauth: oauth(), operationScopes: { mutation: ['shop:write'] } });
    expect((await app.post({ query: '{ secret }' }, bearer('tok-alice'))).body).toEqual({ data: { secret: 's3cret' } });
    const bob = await app.post({ query: '{ hello secret }' }, bearer('tok-bob'));
    expect(bob.body.data).toEqual({ hello: 'world', secret: null });
    expect(bob.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: ['secret:read'] });
    expect((await app.post({ query: 'mutation { rename(name: "x") }' }, bearer('tok-alice'))).body.data.rename).toBe(
      'x',
    );
    const refused = await app.post({ query: 'mutation { rename(name: "x") }' }, bearer('tok-bob'));
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('refuses an "active" token whose exp has passed, or whose audience or issuer is not accepted', async () => {
    server.set('tok-stale', { answer: { active: true, sub: 'old', exp: nowSeconds() - 3600 } });
    server.set('tok-other-aud', { answer: { active: true, sub: 'x', aud: 'billing', iss: 'https://as.test' } });
    server.set('tok-our-aud', { answer: { active: true, sub: 'y', aud: ['loom', 'x'], iss: 'https://as.test' } });
    const app = appWith({ oauth: oauth({ audience: 'loom', issuer: 'https://as.test' }) });
    const stale = await app.post({ query: '{ hello }' }, bearer('tok-stale'));
    expect(stale.status).toBe(401);
    expect(stale.body.errors[0].message).toBe('Invalid token: token expired');
    const other = await app.post({ query: '{ hello }' }, bearer('tok-other-aud'));
    expect(other.body.errors[0].message).toBe('Invalid token: audience not accepted');
    expect((await app.post({ query: '{ whoami }' }, bearer('tok-our-aud'))).body.data.whoami).toBe('oauth:y:');
  });

  it("never keeps an answer in Redis past the token's exp, and shares it across instances", async () => {
    const services = {
      ...standaloneServices(),
      redis,
      redisCommandTimeoutMs: SUITE_REDIS_COMMAND_TIMEOUT_MS,
      redisKeyPrefix: `${prefix}shared:`,
    };
    const exp = nowSeconds() + 30;
    server.set('tok-short', { answer: { active: true, sub: 'short', scope: 'profile', exp } });
    const first = createTestApp([useGatewayServices(services), useAuth({ oauth: oauth({ cacheTtlMs: 3_600_000 }) })]);
    const second = createTestApp([useGatewayServices(services), useAuth({ oauth: oauth({ cacheTtlMs: 3_600_000 }) })]);
    const before = server.calls();
    expect((await first.post({ query: '{ whoami }' }, bearer('tok-short'))).body.data.whoami).toBe('oauth:short:');
    expect((await second.post({ query: '{ whoami }' }, bearer('tok-short'))).body.data.whoami).toBe('oauth:short:');
    expect(server.calls()).toBe(before + 1);
    const keys = await redis.keys(`${prefix}shared:oauth:*`);
    expect(keys).toHaveLength(1);
    // The key is the token's digest, never the token.
    expect(keys[0]).not.toContain('tok-short');
    expect(await redis.get(keys[0])).not.toContain('tok-short');
    const ttl = await redis.pttl(keys[0]);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });

  it('keeps answers no longer than cacheTtlMs, and not at all with 0', async () => {
    const services = {
      ...standaloneServices(),
      redis,
      redisCommandTimeoutMs: SUITE_REDIS_COMMAND_TIMEOUT_MS,
      redisKeyPrefix: `${prefix}ttl:`,
    };
    const app = createTestApp([useGatewayServices(services), useAuth({ oauth: oauth({ cacheTtlMs: 5_000 }) })]);
    await app.post({ query: '{ hello }' }, bearer('tok-bob'));
    const [key] = await redis.keys(`${prefix}ttl:oauth:*`);
    expect(await redis.pttl(key)).toBeLessThanOrEqual(5_000);
    const uncached = appWith({ oauth: oauth({ cacheTtlMs: 0 }) });
    const before = server.calls();
    await uncached.post({ query: '{ hello }' }, bearer('tok-bob'));
    await uncached.post({ query: '{ hello }' }, bearer('tok-bob'));
    expect(server.calls()).toBe(before + 2);
  });

  it('still judges every token when Redis does not answer (the cache only saves calls)', async () => {
    const deadRedis = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    const services = { ...standaloneServices(), redis: deadRedis, redisKeyPrefix: `${prefix}dead:` };
    try {
      const app = createTestApp([useGatewayServices(services), useAuth({ oauth: oauth() })]);
      expect((await app.post({ query: '{ whoami }' }, bearer('tok-bob'))).body.data.whoami).toBe('oauth:bob:');
      expect((await app.post({ query: '{ hello }' }, bearer('tok-revoked'))).status).toBe(401);
    } finally {
      deadRedis.disconnect();
    }
  });

  describe('a failing endpoint answers 503 AUTH_UNAVAILABLE and lets nothing through', () => {
    const expectUnavailable = async (app: ReturnType<typeof appWith>, token: string, message: string) => {
      const { status, body, headers } = await app.post({ query: '{ hello }' }, bearer(token));
      expect(status).toBe(503);
      expect(headers.get('retry-after')).toBe('1');
      expect(body.errors).toEqual([{ message, extensions: { code: 'AUTH_UNAVAILABLE' } }]);
      expect(app.calls()).toBe(0);
    };

    it.each([
      ['HTTP 500', { status: 500, body: '{"error":"server_error"}' }, 'the endpoint answered HTTP 500'],
      [
        'an HTML page',
        { status: 200, body: '<html>login</html>', contentType: 'text/html' },
        'the endpoint sent no RFC 7662 answer',
      ],
      ['a JSON list', { status: 200, body: '[{"active":true}]' }, 'the endpoint sent no RFC 7662 answer'],
      [
        'active as a string',
        { status: 200, body: '{"active":"true","sub":"x"}' },
        'the endpoint sent no RFC 7662 answer',
      ],
      [
        'no active member',
        { status: 200, body: '{"sub":"x","scope":"admin"}' },
        'the endpoint sent no RFC 7662 answer',
      ],
      ['a truncated object', { status: 200, body: '{"active":true,' }, 'the endpoint sent no RFC 7662 answer'],
      [
        'a 1 MB answer',
        { status: 200, body: `{"active":true,"pad":"${'x'.repeat(1 << 20)}"}` },
        'the answer is larger than 65536 bytes',
      ],
      ['a redirect', { status: 302, body: '' }, 'unreachable'],
    ])('%s', async (_name, behaviour, reason) => {
      const token = `tok-${randomUUID()}`;
      server.set(token, behaviour);
      const app = appWith({ oauth: oauth() });
      await expectUnavailable(app, token, `Token introspection failed: ${reason}`);
      // A failure is never cached: the next request asks again.
      const before = server.calls();
      await expectUnavailable(app, token, `Token introspection failed: ${reason}`);
      expect(server.calls()).toBe(before + 1);
    });

    it('a slow endpoint (no answer within timeoutMs)', async () => {
      server.set('tok-slow', { hang: true });
      const app = appWith({ oauth: oauth({ timeoutMs: 300 }), mode: 'optional' });
      await expectUnavailable(app, 'tok-slow', 'Token introspection failed: no answer within 300 ms');
    });

    it('an endpoint that is down, even with mode optional', async () => {
      const down = await startIntrospectionServer(CLIENT_ID, CLIENT_SECRET);
      const url = down.url;
      await down.close();
      const app = appWith({ oauth: oauth({ introspectionUrl: url }), mode: 'optional' });
      await expectUnavailable(app, 'tok-alice', 'Token introspection failed: unreachable');
    });

    it('wrong client credentials (the endpoint answers 401) without the secret in the error', async () => {
      const app = appWith({ oauth: oauth({ clientSecret: 'not-the-secret' }) });
      await expectUnavailable(app, 'tok-alice', 'Token introspection failed: the endpoint answered HTTP 401');
    });
  });

  it.each([
    ['a token of 5000 characters', `Bearer ${'a'.repeat(5000)}`, 'Invalid token: too long'],
    ['two tokens', 'Bearer tok-alice tok-bob', 'Invalid authorization header: send "Bearer <token>"'],
    ['a percent-encoded token', 'Bearer tok%2Dalice', 'Invalid authorization header: send "Bearer <token>"'],
    ['a unicode look-alike', 'Bearer tok\u2010alice', 'Invalid authorization header: send "Bearer <token>"'],
    [
      'Basic credentials',
      `Basic ${Buffer.from('a:b').toString('base64')}`,
      'Invalid authorization header: send "Bearer <token>"',
    ],
    ['an empty bearer', 'Bearer ', 'Invalid authorization header: send "Bearer <token>"'],
  ])('refuses %s with 401 and no introspection call', async (_name, authorization, message) => {
    const app = appWith({ oauth: oauth() });
    const before = server.calls();
    // Headers carry bytes: a non-Latin-1 character is sent as its UTF-8 bytes, as a raw client would.
    const header = Buffer.from(authorization, 'utf8').toString('latin1');
    const { status, body } = await app.post({ query: '{ hello }' }, { authorization: header });
    expect(status).toBe(401);
    expect(body.errors[0]).toEqual({ message, extensions: { code: 'UNAUTHENTICATED' } });
    expect(server.calls()).toBe(before);
  });

  it('sends JWT-shaped tokens to the JWT check and opaque ones to introspection when both are set', async () => {
    const app = appWith({ oauth: oauth(), jwt: { secret: 'k'.repeat(32) } });
    const before = server.calls();
    const forged = await app.post({ query: '{ hello }' }, bearer('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'));
    expect(forged.status).toBe(401);
    expect(forged.body.errors[0].message).toBe('Invalid token: signature does not verify');
    expect(server.calls()).toBe(before);
    expect((await app.post({ query: '{ whoami }' }, bearer('tok-alice'))).body.data.whoami).toBe('oauth:alice:pro');
  });

  it('counts introspections by outcome in the gateway metrics', async () => {
    const metrics = new Registry();
    const services = { ...standaloneServices(), metrics, logger: createSilentLogger(), bffName: 'web' };
    const app = createTestApp([useGatewayServices(services), useAuth({ oauth: oauth() })]);
    await app.post({ query: '{ hello }' }, bearer('tok-bob'));
    await app.post({ query: '{ hello }' }, bearer('tok-bob'));
    await app.post({ query: '{ hello }' }, bearer('tok-revoked'));
    const text = await metrics.metrics();
    expect(text).toContain('loom_auth_introspections_total{bff="web",outcome="active"} 1');
    expect(text).toContain('loom_auth_introspections_total{bff="web",outcome="cache_hit"} 1');
    expect(text).toContain('loom_auth_introspections_total{bff="web",outcome="inactive"} 1');
  });

  it.each([
    [
      { introspectionUrl: 'ftp://as.test/introspect' },
      'useAuth oauth: introspectionUrl must be an http(s) URL, got ftp://as.test/introspect',
    ],
    [{ clientSecret: '' }, 'useAuth oauth: clientSecret must be a non-empty string (from the environment or a file)'],
    [{ cacheTtlMs: -1 }, 'useAuth oauth: cacheTtlMs must be a positive integer, got -1'],
  ])('refuses bad options at start-up: %j', (extra, message) => {
    expect(() => useAuth({ oauth: oauth(extra) })).toThrow(message);
  });
});
