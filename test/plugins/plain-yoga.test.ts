import { createHash } from 'node:crypto';
import { createYoga, type Plugin } from 'graphql-yoga';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { useAuth } from '../../src/plugins/auth/use-auth';
import { useQueryLimits } from '../../src/plugins/limits/use-query-limits';
import { useCostLimit } from '../../src/plugins/use-cost-limit';
import { useRateLimit } from '../../src/plugins/rate-limit/use-rate-limit';
import { useResponseCache } from '../../src/plugins/cache/use-response-cache';
import { usePersistedOperations } from '../../src/plugins/use-persisted-operations';
import { useHttpHardening } from '../../src/plugins/http/use-http-hardening';

/**
 * Every policy is a plain envelop plugin: it runs in a bare Yoga app, with no
 * Loom gateway around it (state in memory, its own metrics, no Redis).
 */
function bareApp(plugins: Plugin[]) {
  let calls = 0;
  const schema = makeExecutableSchema({
    typeDefs: 'type Item { name: String } type Query { hello: String items(limit: Int): [Item] }',
    resolvers: {
      Query: {
        hello: () => `hi ${(calls += 1)}`,
        items: (_root: unknown, { limit }: { limit?: number }) =>
          Array.from({ length: limit ?? 3 }, (_, index) => ({ name: `item${index}` })),
      },
    },
  });
  const yoga = createYoga({ schema, plugins, logging: false });
  return {
    calls: () => calls,
    async post(body: Record<string, unknown>, headers: Record<string, string> = {}) {
      const response = await yoga.fetch('http://plain.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
        body: JSON.stringify(body),
      });
      return {
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> },
      };
    },
  };
}

const codeOf = (body: { errors?: Array<{ extensions?: { code?: string } }> }) => body.errors?.[0]?.extensions?.code;

describe('every policy in a plain Yoga app', () => {
  it('useAuth: lets a known API key through, refuses a missing one with 401 UNAUTHENTICATED', async () => {
    const app = bareApp([
      useAuth({ mode: 'required', apiKey: { keys: [{ id: 'device-1', key: 'k-plain-yoga-test-0123' }] } }),
    ]);
    expect(await app.post({ query: '{ hello }' }, { 'x-api-key': 'k-plain-yoga-test-0123' })).toMatchObject({
      status: 200,
      body: { data: { hello: 'hi 1' } },
    });
    const refused = await app.post({ query: '{ hello }' });
    expect([refused.status, codeOf(refused.body)]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('useQueryLimits: serves a shallow query, refuses a deep one with 400 DEPTH_LIMIT_EXCEEDED', async () => {
    const app = bareApp([useQueryLimits({ maxDepth: 1 })]);
    expect((await app.post({ query: '{ hello }' })).status).toBe(200);
    const refused = await app.post({ query: '{ __type(name: "Query") { fields { name } } }' });
    expect([refused.status, codeOf(refused.body)]).toEqual([400, 'DEPTH_LIMIT_EXCEEDED']);
  });

  it('useCostLimit: serves a cheap query, refuses an expensive one with 400 COST_LIMIT_EXCEEDED', async () => {
    const app = bareApp([useCostLimit({ maxCost: 20 })]);
    expect((await app.post({ query: '{ items(limit: 5) { name } }' })).status).toBe(200);
    const refused = await app.post({ query: '{ items(limit: 500) { name } }' });
    expect([refused.status, codeOf(refused.body)]).toEqual([400, 'COST_LIMIT_EXCEEDED']);
    expect(app.calls()).toBe(0);
  });

  it('useRateLimit: meters in memory, refuses past the budget with 429 RATE_LIMITED and Retry-After', async () => {
    const app = bareApp([useRateLimit({ rules: [{ by: 'global', budget: 2, windowMs: 60_000 }] })]);
    const first = await app.post({ query: '{ hello }' });
    expect([first.status, first.headers.get('ratelimit-remaining')]).toEqual([200, '1']);
    expect((await app.post({ query: '{ hello }' })).status).toBe(200);
    const refused = await app.post({ query: '{ hello }' });
    expect([refused.status, codeOf(refused.body), refused.headers.get('retry-after')]).toEqual([
      429,
      'RATE_LIMITED',
      expect.stringMatching(/^\d+$/),
    ]);
  });

  it('useResponseCache: caches in memory (one resolver call for two requests), refuses an unknown type at start-up', async () => {
    const app = bareApp([useResponseCache({ ttlMs: 60_000 })]);
    const first = await app.post({ query: '{ hello }' });
    const second = await app.post({ query: '{ hello }' });
    expect([first.headers.get('x-loom-cache'), second.headers.get('x-loom-cache')]).toEqual(['MISS', 'HIT']);
    expect(second.body).toEqual({ data: { hello: 'hi 1' } });
    expect(app.calls()).toBe(1);
    expect(() => bareApp([useResponseCache({ privateScope: ['Customer'] })])).toThrow(
      'useResponseCache: privateScope: type "Customer" is not in this BFF\'s schema',
    );
  });

  it('usePersistedOperations: runs a persisted id, refuses a raw query with 400 PERSISTED_QUERY_NOT_FOUND', async () => {
    const hello = '{ hello }';
    const id = createHash('sha256').update(hello).digest('hex');
    const app = bareApp([usePersistedOperations({ manifest: { [id]: hello }, persistedOnly: true })]);
    expect((await app.post({ extensions: { persistedQuery: { version: 1, sha256Hash: id } } })).body).toEqual({
      data: { hello: 'hi 1' },
    });
    const refused = await app.post({ query: hello });
    expect([refused.status, codeOf(refused.body)]).toEqual([400, 'PERSISTED_QUERY_NOT_FOUND']);
  });

  it('useHttpHardening: serves a small body, refuses an oversized one with 413 PAYLOAD_TOO_LARGE', async () => {
    const app = bareApp([useHttpHardening({ bodyLimit: { maxBytes: 200 } })]);
    expect((await app.post({ query: '{ hello }' })).status).toBe(200);
    const refused = await app.post({ query: `{ hello } # ${'x'.repeat(400)}` });
    expect([refused.status, codeOf(refused.body)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });
});
