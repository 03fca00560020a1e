import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  MAX_KEYS_PER_OWNER,
  TooManyKeysError,
  createMemoryApiKeyStore,
  digestApiKey,
  type ApiKeyStore,
} from '../../../src/plugins/stores/api-key-store';
import { createRedisApiKeyStore } from '../../../src/plugins/stores/redis-api-key-store';
import { createApiKeyVerifier } from '../../../src/plugins/auth/create-api-key-verifier';
import { PolicyOptionError } from '../../../src/plugins/shared/option-checks';
import { hashTaggedPrefix } from '../../../src/core/redis-client';

const SUITE_TIMEOUT_MS = 5000;
let redis: Redis;
const prefixes: string[] = [];

beforeAll(() => {
  redis = new Redis('redis://127.0.0.1:6379');
});
afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(keys);
  }
  redis.disconnect();
});

function redisStore(prefix = `test:keys:${randomUUID()}:`): ApiKeyStore {
  prefixes.push(prefix);
  return createRedisApiKeyStore(redis, { prefix, commandTimeoutMs: SUITE_TIMEOUT_MS });
}

describe.each([
  ['memory', () => createMemoryApiKeyStore()],
  ['Redis', () => redisStore()],
])('issued API keys in %s', (_name, makeStore) => {
  let store: ApiKeyStore;
  beforeEach(() => {
    store = makeStore();
  });

  it('issues a random loom_ key once, finds it for its BFF only, and stamps its use', async () => {
    const { key, record } = await store.issue({ bff: 'web', owner: 'jwt:dev-1', plan: 'pro', label: 'checkout' });
    expect(key).toMatch(/^loom_[A-Za-z0-9_-]{43}$/);
    expect(record).toEqual({
      id: expect.stringMatching(/^key_[A-Za-z0-9_-]{16}$/),
      bff: 'web',
      owner: 'jwt:dev-1',
      plan: 'pro',
      label: 'checkout',
      createdAt: expect.any(String),
      hint: key.slice(0, 9),
      uses: 0,
    });
    const second = await store.issue({ bff: 'web', owner: 'jwt:dev-1', label: 'other' });
    expect(second.key).not.toBe(key);
    expect(second.record.id).not.toBe(record.id);

    expect(await store.find(key, 'mobile')).toBeUndefined();
    const found = await store.find(key, 'web');
    expect(found).toMatchObject({ id: record.id, plan: 'pro', lastUsedAt: expect.any(String), uses: 1 });
    expect((await store.find(key, 'web'))?.uses).toBe(2);
    expect(await store.find(`${key.slice(0, -1)}x`, 'web')).toBeUndefined();
    expect(await store.find('not-a-loom-key', 'web')).toBeUndefined();
    expect((await store.list({ bff: 'web', owner: 'jwt:dev-1' })).map((entry) => entry.label).sort()).toEqual([
      'checkout',
      'other',
    ]);
  });

  it('keeps each owner to their own keys and revokes at once', async () => {
    const mine = await store.issue({ bff: 'web', owner: 'jwt:a', label: 'a' });
    const theirs = await store.issue({ bff: 'web', owner: 'jwt:b', label: 'b' });
    expect((await store.list({ bff: 'web', owner: 'jwt:a' })).map((entry) => entry.id)).toEqual([mine.record.id]);
    expect(await store.list({ bff: 'web' })).toHaveLength(2);
    // Another owner cannot revoke it; nothing changes.
    expect(await store.revoke(mine.record.id, 'jwt:b')).toBe(false);
    expect(await store.find(mine.key, 'web')).toBeDefined();
    expect(await store.revoke(mine.record.id, 'jwt:a')).toBe(true);
    expect(await store.find(mine.key, 'web')).toBeUndefined();
    expect(await store.revoke(mine.record.id)).toBe(false);
    expect((await store.list({ bff: 'web' })).map((entry) => entry.id)).toEqual([theirs.record.id]);
  });

  it('stores markup and unicode labels as given, and caps keys per owner', async () => {
    const label = '<script>alert(1)</script> ключ 🔑';
    const { key } = await store.issue({ bff: 'web', owner: 'jwt:c', label });
    expect((await store.find(key, 'web'))?.label).toBe(label);
    for (let index = 1; index < MAX_KEYS_PER_OWNER; index++)
      await store.issue({ bff: 'web', owner: 'jwt:c', label: `k${index}` });
    await expect(store.issue({ bff: 'web', owner: 'jwt:c', label: 'one too many' })).rejects.toBeInstanceOf(
      TooManyKeysError,
    );
    // The cap is per BFF and per owner.
    await expect(store.issue({ bff: 'mobile', owner: 'jwt:c', label: 'x' })).resolves.toBeDefined();
  });
});

describe('the Redis key store', () => {
  it('keeps the per-owner cap when instances issue at the same moment (one Redis step)', async () => {
    const prefix = `test:keys:${randomUUID()}:`;
    prefixes.push(prefix);
    const other = new Redis('redis://127.0.0.1:6379');
    try {
      const stores = [
        redisStore(prefix),
        createRedisApiKeyStore(other, { prefix, commandTimeoutMs: SUITE_TIMEOUT_MS }),
      ];
      for (let index = 1; index < MAX_KEYS_PER_OWNER; index++)
        await stores[0].issue({ bff: 'web', owner: 'jwt:race', label: `k${index}` });
      const racing = await Promise.allSettled(
        Array.from({ length: 6 }, (_, index) =>
          stores[index % 2].issue({ bff: 'web', owner: 'jwt:race', label: `race${index}` }),
        ),
      );
      expect(racing.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      for (const outcome of racing.filter((entry) => entry.status === 'rejected'))
        expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(TooManyKeysError);
      expect(await stores[1].list({ bff: 'web', owner: 'jwt:race' })).toHaveLength(MAX_KEYS_PER_OWNER);
    } finally {
      other.disconnect();
    }
  });

  it('never stores the key itself, only its SHA-256 digest', async () => {
    const prefix = `test:keys:${randomUUID()}:`;
    const store = redisStore(prefix);
    const { key, record } = await store.issue({ bff: 'web', owner: 'jwt:d', label: 'x' });
    const keys = await redis.keys(`${prefix}*`);
    expect(keys).toContain(`${hashTaggedPrefix(prefix)}digest:${digestApiKey(key)}`);
    for (const name of keys) {
      const type = await redis.type(name);
      const values =
        type === 'hash'
          ? Object.values(await redis.hgetall(name))
          : type === 'set'
            ? await redis.smembers(name)
            : [await redis.get(name)];
      expect(values.join(' ')).not.toContain(key);
    }
    // A second instance over the same Redis sees the key, and its revoke.
    const other = createRedisApiKeyStore(redis, { prefix, commandTimeoutMs: SUITE_TIMEOUT_MS });
    expect((await other.find(key, 'web'))?.id).toBe(record.id);
    expect(await store.revoke(record.id)).toBe(true);
    expect(await other.find(key, 'web')).toBeUndefined();
  });

  it('rejects when Redis is down, so useAuth answers 503 and never lets the key in', async () => {
    const down = new Redis('redis://127.0.0.1:9', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    const store = createRedisApiKeyStore(down, { commandTimeoutMs: SUITE_TIMEOUT_MS });
    const verifier = createApiKeyVerifier({ issued: true });
    verifier.attachIssuedKeys(store, 'web');
    await expect(verifier.verify(`loom_${'A'.repeat(43)}`)).rejects.toMatchObject({
      extensions: { code: 'AUTH_UNAVAILABLE', http: { status: 503 } },
    });
    down.disconnect();
  });
});

describe('createApiKeyVerifier with issued keys', () => {
  it('accepts configured keys first, then issued keys of its BFF, with the plan and no scopes', async () => {
    const store = createMemoryApiKeyStore();
    const { key, record } = await store.issue({ bff: 'web', owner: 'jwt:e', plan: 'pro', label: 'x' });
    const verifier = createApiKeyVerifier({
      issued: true,
      keys: [{ key: 'configured-key-0123456789', id: 'ops', scopes: ['a'] }],
    });
    verifier.attachIssuedKeys(store, 'web');
    expect(await verifier.verify('configured-key-0123456789')).toEqual({
      kind: 'apiKey',
      subject: 'ops',
      scopes: ['a'],
    });
    expect(await verifier.verify(key)).toEqual({ kind: 'apiKey', subject: record.id, scopes: [], plan: 'pro' });
    await store.revoke(record.id);
    await expect(verifier.verify(key)).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
    });
  });

  it('ignores the store unless issued is true, and refuses bad options at start-up', async () => {
    const store = createMemoryApiKeyStore();
    const { key } = await store.issue({ bff: 'web', owner: 'jwt:f', label: 'x' });
    const listOnly = createApiKeyVerifier({ keys: [{ key: 'configured-key-0123456789', id: 'ops' }] });
    listOnly.attachIssuedKeys(store, 'web');
    await expect(listOnly.verify(key)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    // Outside a gateway there is no store: nothing is found, nothing throws.
    await expect(createApiKeyVerifier({ issued: true }).verify(key)).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
    expect(() => createApiKeyVerifier({})).toThrow(PolicyOptionError);
    expect(() => createApiKeyVerifier({ issued: 'yes' as unknown as boolean })).toThrow(/issued must be true or false/);
  });
});
