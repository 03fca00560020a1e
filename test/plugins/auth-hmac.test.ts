import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { SUITE_REDIS_COMMAND_TIMEOUT_MS } from '../fixtures/ratelimit/redis-child';
import { useAuth } from '../../src/plugins/auth/use-auth';
import type { HmacAuthOptions } from '../../src/plugins/auth/hmac/create-hmac-verifier';
import { useGatewayServices, standaloneServices } from '../../src/plugins/shared/gateway-services';
import { createTestApp, type TestApp } from './plugin-test-app';

const SECRET = randomBytes(32).toString('base64');
const KEYS: HmacAuthOptions['keys'] = [{ keyId: 'device-7', secret: SECRET, plan: 'device', scopes: ['secret:read'] }];

interface Signed {
  method?: string;
  path?: string;
  body?: string;
  date?: Date;
  nonce?: string;
  keyId?: string;
  secret?: string;
}

/** A device's signer, written from the README's canonical string (not from Loom's code). */
function signedHeaders({
  method = 'POST',
  path = '/graphql',
  body = '',
  date = new Date(),
  nonce = randomUUID(),
  keyId = 'device-7',
  secret = SECRET,
}: Signed) {
  const digest = createHash('sha256').update(body).digest('base64');
  const dateHeader = date.toUTCString();
  const canonical = ['HMAC-SHA256', method, path, dateHeader, nonce, digest].join('\n');
  const signature = createHmac('sha256', secret).update(canonical).digest('base64');
  return {
    authorization: `HMAC-SHA256 keyId="${keyId}", nonce="${nonce}", signature="${signature}"`,
    date: dateHeader,
    'content-digest': `sha-256=:${digest}:`,
  };
}

const QUERY = JSON.stringify({ query: '{ whoami secret }' });

async function send(app: TestApp, headers: Record<string, string>, body = QUERY, path = '/graphql', method = 'POST') {
  const response = await app.request({
    path,
    method,
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    ...(method === 'POST' && { body }),
  });
  return { status: response.status, body: await response.json() };
}

const refusal = (reason: string) => ({
  errors: [{ message: `Invalid signature: ${reason}`, extensions: { code: 'UNAUTHENTICATED' } }],
});

describe('useAuth with HMAC request signatures', () => {
  let redis: Redis;
  const prefix = `test:hmac:${randomUUID()}:`;
  beforeAll(() => {
    redis = new Redis('redis://127.0.0.1:6379');
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(keys);
    redis.disconnect();
  });
  const app = (extra: Partial<HmacAuthOptions> = {}) => createTestApp([useAuth({ hmac: { keys: KEYS, ...extra } })]);

  it('accepts a signed request: the key id is the identity, its scopes open fields', async () => {
    const target = app();
    const { status, body } = await send(target, signedHeaders({ body: QUERY }));
    expect(status).toBe(200);
    expect(body).toEqual({ data: { whoami: 'hmac:device-7:device', secret: 's3cret' } });
  });

  it('covers the query string of a GET', async () => {
    const target = app();
    const path = `/graphql?query=${encodeURIComponent('{ hello }')}`;
    expect((await send(target, signedHeaders({ method: 'GET', path }), '', path, 'GET')).body).toEqual({
      data: { hello: 'world' },
    });
    const tampered = `/graphql?query=${encodeURIComponent('{ secret }')}`;
    const { status, body } = await send(target, signedHeaders({ method: 'GET', path }), '', tampered, 'GET');
    expect(status).toBe(401);
    expect(body).toEqual(refusal('signature does not verify'));
  });

  it.each([
    [
      'a changed body (digest recomputed by the attacker)',
      () => {
        const headers = signedHeaders({ body: QUERY });
        const other = JSON.stringify({ query: '{ secret }' });
        return {
          headers: { ...headers, 'content-digest': `sha-256=:${createHash('sha256').update(other).digest('base64')}:` },
          body: other,
          reason: 'signature does not verify',
        };
      },
    ],
    [
      'a changed body (digest left as signed)',
      () => ({
        headers: signedHeaders({ body: QUERY }),
        body: JSON.stringify({ query: '{ secret }' }),
        reason: 'the body does not match Content-Digest',
      }),
    ],
    [
      'a stale date',
      () => ({
        headers: signedHeaders({ body: QUERY, date: new Date(Date.now() - 600_000) }),
        body: QUERY,
        reason: 'Date is outside the allowed clock skew',
      }),
    ],
    [
      'a date from the future',
      () => ({
        headers: signedHeaders({ body: QUERY, date: new Date(Date.now() + 600_000) }),
        body: QUERY,
        reason: 'Date is outside the allowed clock skew',
      }),
    ],
    [
      'a wrong secret',
      () => ({
        headers: signedHeaders({ body: QUERY, secret: randomBytes(32).toString('base64') }),
        body: QUERY,
        reason: 'signature does not verify',
      }),
    ],
    [
      'an unknown key id',
      () => ({ headers: signedHeaders({ body: QUERY, keyId: 'device-8' }), body: QUERY, reason: 'unknown key' }),
    ],
    [
      'another method',
      () => ({
        headers: signedHeaders({ body: QUERY, method: 'PUT' }),
        body: QUERY,
        reason: 'signature does not verify',
      }),
    ],
    [
      'another path',
      () => ({
        headers: signedHeaders({ body: QUERY, path: '/graphql/' }),
        body: QUERY,
        reason: 'signature does not verify',
      }),
    ],
    [
      'no Date',
      () => {
        const { date: _date, ...headers } = signedHeaders({ body: QUERY });
        return { headers, body: QUERY, reason: 'a Date header is required' };
      },
    ],
    [
      'a garbage Date',
      () => ({
        headers: { ...signedHeaders({ body: QUERY }), date: 'yesterday' },
        body: QUERY,
        reason: 'a Date header is required',
      }),
    ],
    [
      'no Content-Digest',
      () => {
        const { 'content-digest': _digest, ...headers } = signedHeaders({ body: QUERY });
        return { headers, body: QUERY, reason: 'the body does not match Content-Digest' };
      },
    ],
  ])('refuses %s with 401 before any resolver', async (_name, make) => {
    const target = app();
    const { headers, body, reason } = make();
    const response = await send(target, headers as Record<string, string>, body);
    expect(response.status).toBe(401);
    expect(response.body).toEqual(refusal(reason));
    expect(target.calls()).toBe(0);
  });

  it.each([
    ['a missing nonce', 'HMAC-SHA256 keyId="device-7", signature="abc"'],
    ['a repeated parameter', 'HMAC-SHA256 keyId="device-7", keyId="device-8", nonce="n", signature="abc"'],
    ['an extra parameter', 'HMAC-SHA256 keyId="device-7", nonce="n", signature="abc", alg="none"'],
    ['unquoted values', 'HMAC-SHA256 keyId=device-7, nonce=n, signature=abc'],
    ['a quote inside a value', 'HMAC-SHA256 keyId="dev"ice", nonce="n", signature="abc"'],
    ['a 10 KB parameter', `HMAC-SHA256 keyId="${'k'.repeat(10_000)}", nonce="n", signature="abc"`],
  ])('refuses a malformed header (%s) with 401', async (_name, authorization) => {
    const response = await send(app(), { ...signedHeaders({ body: QUERY }), authorization });
    expect(response.status).toBe(401);
    expect(response.body).toEqual(refusal('send HMAC-SHA256 keyId="...", nonce="...", signature="..."'));
  });

  it('refuses a replayed nonce, across instances sharing Redis', async () => {
    const services = {
      ...standaloneServices(),
      redis,
      redisCommandTimeoutMs: SUITE_REDIS_COMMAND_TIMEOUT_MS,
      redisKeyPrefix: `${prefix}replay:`,
    };
    const first = createTestApp([useGatewayServices(services), useAuth({ hmac: { keys: KEYS } })]);
    const second = createTestApp([useGatewayServices(services), useAuth({ hmac: { keys: KEYS } })]);
    const headers = signedHeaders({ body: QUERY });
    expect((await send(first, headers)).status).toBe(200);
    for (const target of [first, second]) {
      const replay = await send(target, headers);
      expect(replay.status).toBe(401);
      expect(replay.body).toEqual(refusal('nonce already used'));
    }
    expect(second.calls()).toBe(0);
    const [key] = await redis.keys(`${prefix}replay:*`);
    // Remembered for the whole window on both sides of now (2 x 300 s).
    expect(await redis.pttl(key)).toBeGreaterThan(590_000);
  });

  it('refuses a replayed nonce in memory too, and takes a fresh one', async () => {
    const target = app();
    const headers = signedHeaders({ body: QUERY });
    expect((await send(target, headers)).status).toBe(200);
    expect((await send(target, headers)).body).toEqual(refusal('nonce already used'));
    expect((await send(target, signedHeaders({ body: QUERY }))).status).toBe(200);
  });

  it('refuses with 503 AUTH_UNAVAILABLE when the nonce store is down (no unchecked replays)', async () => {
    const deadRedis = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    try {
      const services = { ...standaloneServices(), redis: deadRedis, redisKeyPrefix: `${prefix}dead:` };
      const target = createTestApp([useGatewayServices(services), useAuth({ hmac: { keys: KEYS } })]);
      const response = await send(target, signedHeaders({ body: QUERY }));
      expect(response.status).toBe(503);
      expect(response.body.errors[0].extensions).toEqual({ code: 'AUTH_UNAVAILABLE' });
      expect(target.calls()).toBe(0);
    } finally {
      deadRedis.disconnect();
    }
  });

  it('refuses a body past maxBodyBytes with 413 before hashing it', async () => {
    const big = JSON.stringify({ query: `{ hello } # ${'x'.repeat(5_000)}` });
    const response = await send(app({ maxBodyBytes: 1_000 }), signedHeaders({ body: big }), big);
    expect(response.status).toBe(413);
    expect(response.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('takes a narrower clock skew window', async () => {
    const response = await send(
      app({ clockSkewSeconds: 30 }),
      signedHeaders({ body: QUERY, date: new Date(Date.now() - 60_000) }),
    );
    expect(response.body).toEqual(refusal('Date is outside the allowed clock skew'));
  });

  it('looks keys up by id, and answers a Bearer header with 401 when only HMAC is configured', async () => {
    const target = createTestApp([
      useAuth({ hmac: { lookup: async (keyId) => (keyId === 'db-dev' ? { keyId, secret: SECRET } : null) } }),
    ]);
    expect((await send(target, signedHeaders({ body: QUERY, keyId: 'db-dev' }))).body.data.whoami).toBe('hmac:db-dev:');
    const bearer = await send(target, { authorization: 'Bearer abc' });
    expect(bearer.status).toBe(401);
  });

  it('fails at start-up on weak or repeated keys', () => {
    expect(() => useAuth({ hmac: { keys: [{ keyId: 'a', secret: 'short' }] } })).toThrow(
      'useAuth hmac: keys[0] ("a"): secret must be at least 32 characters',
    );
    expect(() => useAuth({ hmac: { keys: [KEYS[0], KEYS[0]] } })).toThrow('keyId "device-7" repeats');
  });
});
