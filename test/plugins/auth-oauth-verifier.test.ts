import { randomUUID } from 'node:crypto';
import { createSilentLogger } from '../../src/core/logger';
import { createIntrospectionVerifier } from '../../src/plugins/auth/oauth/create-introspection-verifier';
import {
  createMemoryIntrospectionCache,
  type IntrospectionCache,
} from '../../src/plugins/auth/oauth/introspection-cache';
import { startIntrospectionServer, type IntrospectionServer } from '../helpers/introspection-server';

const CLIENT_SECRET = randomUUID();

describe('introspection verifier (cache lifetime, single flight)', () => {
  let server: IntrospectionServer;
  beforeAll(async () => {
    server = await startIntrospectionServer('loom', CLIENT_SECRET);
  });
  afterAll(() => server.close());

  const options = { introspectionUrl: '', clientId: 'loom', clientSecret: CLIENT_SECRET };

  it("asks again once the token's exp has passed, though cacheTtlMs has not", async () => {
    let clock = 1_000_000_000_000;
    const now = () => clock;
    const exp = clock / 1000 + 20;
    server.set('tok-exp', { answer: { active: true, sub: 'a', exp } });
    const verify = createIntrospectionVerifier(
      { ...options, introspectionUrl: server.url, cacheTtlMs: 3_600_000, clockToleranceSeconds: 0 },
      { cache: createMemoryIntrospectionCache(100, now), logger: createSilentLogger(), bffName: 'b', now },
    );
    const before = server.calls();
    await expect(verify('tok-exp')).resolves.toMatchObject({ kind: 'oauth', subject: 'a' });
    clock += 19_000;
    await expect(verify('tok-exp')).resolves.toMatchObject({ subject: 'a' });
    expect(server.calls()).toBe(before + 1);
    clock += 2_000;
    // Past exp: the cached entry is gone, and the endpoint's (stale) "active" is refused by Loom's own exp check.
    await expect(verify('tok-exp')).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(server.calls()).toBe(before + 2);
  });

  it('sends one call for many concurrent requests with the same token', async () => {
    server.set('tok-flight', { answer: { active: true, sub: 'f' } });
    // Every cache read is held until all ten have arrived, so all ten miss together.
    let arrived = 0;
    let releaseAll!: () => void;
    const allArrived = new Promise<void>((resolve) => (releaseAll = resolve));
    const inner = createMemoryIntrospectionCache();
    const cache: IntrospectionCache = {
      async get(digest) {
        if (++arrived === 10) releaseAll();
        await allArrived;
        return inner.get(digest);
      },
      set: (digest, verdict, ttl) => inner.set(digest, verdict, ttl),
    };
    const verify = createIntrospectionVerifier(
      { ...options, introspectionUrl: server.url },
      { cache, logger: createSilentLogger(), bffName: 'b' },
    );
    const before = server.calls();
    const identities = await Promise.all(Array.from({ length: 10 }, () => verify('tok-flight')));
    expect(identities.map((identity) => identity.subject)).toEqual(Array(10).fill('f'));
    expect(server.calls()).toBe(before + 1);
  });

  it('keeps at most maxEntries answers in memory, dropping the oldest', async () => {
    const cache = createMemoryIntrospectionCache(2);
    const verdict = { active: false, claims: {} };
    await cache.set('a', verdict, 60_000);
    await cache.set('b', verdict, 60_000);
    await cache.set('c', verdict, 60_000);
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('c')).toEqual(verdict);
  });
});
