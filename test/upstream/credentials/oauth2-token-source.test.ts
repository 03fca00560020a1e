import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createSilentLogger } from '../../../src/core/logger';
import { createOAuth2TokenSource } from '../../../src/upstream/credentials/oauth2-token-source';
import { startTokenServer, type TokenServer } from '../../helpers/token-server';

const CLIENT_SECRET = randomUUID();

describe('OAuth2 client credentials for upstreams', () => {
  let server: TokenServer;
  let redis: Redis;
  const prefix = `test:upstream-oauth:${randomUUID()}:`;
  beforeEach(async () => {
    server = await startTokenServer('loom', CLIENT_SECRET);
  });
  afterEach(() => server.close());
  beforeAll(() => {
    redis = new Redis('redis://127.0.0.1:6379');
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(keys);
    redis.disconnect();
  });

  const options = () => ({
    tokenUrl: server.url,
    clientId: 'loom',
    clientSecret: { env: 'UNUSED' },
    scopes: ['orders:read', 'orders:write'],
    audience: 'orders-api',
  });
  const tokenSource = (
    extra: { now?: () => number; redis?: Redis; refreshBeforeExpiryMs?: number; redisKeyPrefix?: string } = {},
  ) =>
    createOAuth2TokenSource(
      {
        ...options(),
        ...(extra.refreshBeforeExpiryMs !== undefined && { refreshBeforeExpiryMs: extra.refreshBeforeExpiryMs }),
      },
      {
        source: 'orders',
        clientSecret: CLIENT_SECRET,
        logger: createSilentLogger(),
        now: extra.now,
        redis: extra.redis,
        redisKeyPrefix: extra.redisKeyPrefix,
      },
    );

  it('fetches a token with the grant, scopes and audience, then reuses it', async () => {
    const tokens = tokenSource();
    expect(await tokens.token()).toBe('tok-1');
    expect(await tokens.token()).toBe('tok-1');
    expect(server.calls()).toBe(1);
    expect(Object.fromEntries(server.forms()[0])).toEqual({
      grant_type: 'client_credentials',
      scope: 'orders:read orders:write',
      audience: 'orders-api',
    });
  });

  it('refreshes refreshBeforeExpiryMs before expiry, not later and not sooner', async () => {
    let clock = 1_000_000;
    server.answerWith({ expiresIn: 120 });
    const tokens = tokenSource({ now: () => clock, refreshBeforeExpiryMs: 30_000 });
    expect(await tokens.token()).toBe('tok-1');
    clock += 89_999;
    expect(await tokens.token()).toBe('tok-1');
    clock += 1;
    expect(await tokens.token()).toBe('tok-2');
    expect(server.calls()).toBe(2);
  });

  it('sends one token request for many concurrent calls', async () => {
    server.hold();
    const tokens = tokenSource();
    const pending = Promise.all(Array.from({ length: 20 }, () => tokens.token()));
    // Every caller is waiting on the one held request; release it once it has arrived.
    while (server.calls() === 0) await new Promise((resolve) => setImmediate(resolve));
    server.release();
    expect(new Set(await pending)).toEqual(new Set(['tok-1']));
    expect(server.calls()).toBe(1);
  });

  it('shares the token across instances through Redis, for no longer than it is fresh', async () => {
    const redisKeyPrefix = `${prefix}share:`;
    server.answerWith({ expiresIn: 300 });
    const first = tokenSource({ redis, redisKeyPrefix, refreshBeforeExpiryMs: 30_000 });
    const second = tokenSource({ redis, redisKeyPrefix, refreshBeforeExpiryMs: 30_000 });
    expect(await first.token()).toBe('tok-1');
    expect(await second.token()).toBe('tok-1');
    expect(server.calls()).toBe(1);
    const [key] = await redis.keys(`${redisKeyPrefix}*`);
    expect(await redis.pttl(key)).toBeLessThanOrEqual(270_000);
    // A 401 upstream drops it everywhere: the next instance to ask fetches a new one.
    await first.invalidate('tok-1');
    expect(await redis.exists(key)).toBe(0);
    expect(await tokenSource({ redis, redisKeyPrefix }).token()).toBe('tok-2');
  });

  it('keeps serving a still-valid token when a refresh fails, and fails once it has expired', async () => {
    let clock = 1_000_000;
    server.answerWith({ expiresIn: 60 });
    const tokens = tokenSource({ now: () => clock, refreshBeforeExpiryMs: 30_000 });
    expect(await tokens.token()).toBe('tok-1');
    server.answerWith({ status: 503, body: '{"error":"temporarily_unavailable"}' });
    clock += 40_000;
    expect(await tokens.token()).toBe('tok-1');
    clock += 20_000;
    await expect(tokens.token()).rejects.toThrow(
      'could not obtain an OAuth2 token: the token endpoint answered HTTP 503',
    );
  });

  it.each([
    [
      'HTTP 401 (wrong secret)',
      { status: 401, body: '{"error":"invalid_client"}' },
      'the token endpoint answered HTTP 401',
    ],
    [
      'no access_token',
      { status: 200, body: '{"token_type":"Bearer"}' },
      'the token endpoint sent no usable bearer token',
    ],
    [
      'a MAC token type',
      { status: 200, body: '{"access_token":"x","token_type":"mac","expires_in":60}' },
      'the token endpoint sent no usable bearer token',
    ],
    [
      'a token with a newline',
      { status: 200, body: '{"access_token":"x\\r\\nX-Evil: 1","expires_in":60}' },
      'the token endpoint sent no usable bearer token',
    ],
    [
      'a negative lifetime',
      { status: 200, body: '{"access_token":"x","expires_in":-5}' },
      'the token endpoint sent no usable bearer token',
    ],
    ['HTML', { status: 200, body: '<html></html>' }, 'the token endpoint sent no usable bearer token'],
  ])('fails on %s without the secret in the message', async (_name, answer, reason) => {
    server.answerWith(answer);
    const error = await tokenSource()
      .token()
      .catch((caught: Error) => caught);
    expect((error as Error).message).toBe(`could not obtain an OAuth2 token: ${reason}`);
    expect(JSON.stringify(error)).not.toContain(CLIENT_SECRET);
  });

  it('fails on a token endpoint that is down', async () => {
    await server.close();
    await expect(tokenSource().token()).rejects.toThrow(
      'could not obtain an OAuth2 token: the token endpoint is unreachable',
    );
    server = await startTokenServer('loom', CLIENT_SECRET);
  });
});
