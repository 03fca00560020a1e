import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createSilentLogger } from '../../../src/core/logger';
import { createOAuth2TokenSource, oauth2RedisKeys } from '../../../src/upstream/credentials/oauth2-token-source';
import { startTokenServer, type TokenServer } from '../../helpers/token-server';

const CLIENT_SECRET = randomUUID();

/** Waits until `passes` holds, yielding to the event loop between looks (no timed sleeps). */
async function until(passes: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await passes())) await new Promise((resolve) => setImmediate(resolve));
}

describe('OAuth2 client credentials: one token request across instances (Redis lock)', () => {
  let server: TokenServer;
  const connections: Redis[] = [];
  const prefix = `test:upstream-oauth-lock:${randomUUID()}:`;
  /** A gateway instance's own Redis connection. */
  const connect = () => {
    const redis = new Redis('redis://127.0.0.1:6379');
    connections.push(redis);
    return redis;
  };

  beforeEach(async () => {
    server = await startTokenServer('loom', CLIENT_SECRET);
  });
  afterEach(() => server.close());
  afterAll(async () => {
    const redis = connect();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(keys);
    for (const connection of connections) connection.disconnect();
  });

  /** Each test its own key prefix, so tokens and locks of one never meet another's. */
  const instance = (redisKeyPrefix: string, extra: { refreshPollMs?: number } = {}) =>
    createOAuth2TokenSource(
      { tokenUrl: server.url, clientId: 'loom', clientSecret: { env: 'UNUSED' }, scopes: ['orders:read'] },
      {
        source: 'orders',
        clientSecret: CLIENT_SECRET,
        logger: createSilentLogger(),
        redis: connect(),
        redisKeyPrefix,
        ...extra,
      },
    );
  const keysOf = (redisKeyPrefix: string) =>
    oauth2RedisKeys({ tokenUrl: server.url, clientId: 'loom', scopes: ['orders:read'] }, redisKeyPrefix);

  it('sends one token request when two instances need a token at once', async () => {
    const scope = `${prefix}concurrent:`;
    const [first, second] = [instance(scope), instance(scope)];
    server.hold();
    const pending = Promise.all([
      ...Array.from({ length: 5 }, () => first.token()),
      ...Array.from({ length: 5 }, () => second.token()),
    ]);
    await until(() => server.calls() === 1);
    // The holder's lock is in Redis while its request is out; the other instance waits on it.
    const lockHolder = await connect().get(keysOf(scope).lock);
    expect(lockHolder).toMatch(/^[0-9a-f-]{36}$/);
    server.release();
    expect(new Set(await pending)).toEqual(new Set(['tok-1']));
    expect(server.calls()).toBe(1);
    // The lock is let go once the token is written.
    expect(await connect().get(keysOf(scope).lock)).toBeNull();
  });

  it('when expired everywhere at once, three instances refresh with one request', async () => {
    const scope = `${prefix}expired:`;
    const redis = connect();
    const instances = [instance(scope), instance(scope), instance(scope)];
    server.hold();
    const pending = Promise.all(instances.map((tokens) => tokens.token()));
    await until(() => server.calls() === 1);
    server.release();
    expect(await pending).toEqual(['tok-1', 'tok-1', 'tok-1']);
    // Drop the shared token (as its TTL would), then all three ask again together.
    await redis.del(keysOf(scope).token);
    for (const tokens of instances) await tokens.invalidate('tok-1');
    server.hold();
    const again = Promise.all(instances.map((tokens) => tokens.token()));
    await until(() => server.calls() === 2);
    server.release();
    expect(await again).toEqual(['tok-2', 'tok-2', 'tok-2']);
    expect(server.calls()).toBe(2);
  });

  it('fetches after the lock expires when its holder died without a token', async () => {
    const scope = `${prefix}dead-holder:`;
    const { lock } = keysOf(scope);
    const redis = connect();
    // An instance took the lock and crashed: no token will come, and nobody will release it.
    await redis.set(lock, 'dead-instance', 'PX', 300);
    const tokens = instance(scope, { refreshPollMs: 10 });
    server.hold();
    const pending = tokens.token();
    await until(() => server.calls() === 1);
    // The request went out only once the dead lock was gone: the lock now is the new holder's.
    const holder = await redis.get(lock);
    expect(holder).not.toBe('dead-instance');
    expect(holder).toMatch(/^[0-9a-f-]{36}$/);
    server.release();
    expect(await pending).toBe('tok-1');
    expect(server.calls()).toBe(1);
  });

  it('lets a waiting instance fetch when the request of the holder failed: one request per attempt', async () => {
    const scope = `${prefix}failed-holder:`;
    const [first, second] = [instance(scope, { refreshPollMs: 10 }), instance(scope, { refreshPollMs: 10 })];
    server.answerWith({ status: 503, body: '{"error":"temporarily_unavailable"}' });
    server.hold();
    const failing = first.token();
    await until(() => server.calls() === 1);
    const waiting = second.token();
    // The held request is answered 503; whatever comes next is held again.
    server.release();
    server.hold();
    await expect(failing).rejects.toThrow('could not obtain an OAuth2 token: the token endpoint answered HTTP 503');
    await until(() => server.calls() === 2);
    server.answerWith({ expiresIn: 3600 });
    server.release();
    expect(await waiting).toBe('tok-1');
    expect(server.calls()).toBe(2);
  });
});
