import { createHash, randomUUID } from 'node:crypto';
import { startTwoInstances, type TwoInstances } from '../../fixtures/ratelimit/shared-gateways';
import { IOT_KEY, startCatalogGateway, type CatalogGateway } from '../../bff/catalog-gateway';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const apq = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });
/** A document no other run has registered: its hash is new to the shared Redis. */
const uniqueItemQuery = () => `query Item_${randomUUID().replace(/-/g, '')} { getItem(id: "1") { id name } }`;

describe('automatic persisted queries shared by two gateway instances through Redis', () => {
  let setup: TwoInstances;

  beforeAll(async () => {
    setup = await startTwoInstances('apq', './test/plugins/apq/fixtures/bff-apq.ts');
  });
  afterAll(async () => {
    await setup?.close();
  });
  beforeEach(() => setup.backend.calls.reset());

  it('speaks Apollo APQ: unknown hash, registration on one instance, hash alone on the other', async () => {
    const { bff, first, second, backend } = setup;
    const query = uniqueItemQuery();
    const hash = sha256(query);

    const unknown = await first.query(bff, { extensions: apq(hash) });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({
      errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }],
    });
    expect(backend.calls.count('getItem')).toBe(0);

    const registered = await first.query(bff, { query, extensions: apq(hash) });
    expect(registered.status).toBe(200);
    expect(registered.body).toEqual({ data: { getItem: { id: '1', name: 'Item 1' } } });

    const byHash = await second.query(bff, { extensions: apq(hash.toUpperCase()) });
    expect(byHash.status).toBe(200);
    expect(byHash.body).toEqual(registered.body);
    expect(backend.calls.count('getItem')).toBe(2);

    const ttl = await setup.redis.pttl(`loom:${bff}:apq:${hash}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(600_000);
  });

  it('refuses a hash that does not match its document, and stores nothing', async () => {
    const { bff, first, second, backend } = setup;
    const wrongHash = sha256(uniqueItemQuery());
    const mismatch = await first.query(bff, { query: uniqueItemQuery(), extensions: apq(wrongHash) });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'PERSISTED_QUERY_HASH_MISMATCH' } }),
    ]);
    expect((await second.query(bff, { extensions: apq(wrongHash) })).body.errors?.[0].extensions?.code).toBe(
      'PERSISTED_QUERY_NOT_FOUND',
    );
    expect(backend.calls.count('getItem')).toBe(0);
  });

  it('stores only documents that validate, and runs every policy on each use of a hash', async () => {
    const { bff, first, second, backend } = setup;
    const invalid = `query Invalid_${randomUUID().replace(/-/g, '')} { getItem(id: "1") { id nope } }`;
    const refused = await first.query(bff, { query: invalid, extensions: apq(sha256(invalid)) });
    expect([refused.status, refused.body.errors?.[0].extensions?.code]).toEqual([400, 'GRAPHQL_VALIDATION_FAILED']);
    expect((await second.query(bff, { extensions: apq(sha256(invalid)) })).body.errors?.[0].extensions?.code).toBe(
      'PERSISTED_QUERY_NOT_FOUND',
    );

    // Valid, so stored; too costly, so refused on registration and on every use by hash.
    const costly = `query Costly_${randomUUID().replace(/-/g, '')} { listItems(limit: 30) { id } }`;
    const registration = await first.query(bff, { query: costly, extensions: apq(sha256(costly)) });
    expect(registration.body.errors?.[0].extensions?.code).toBe('COST_LIMIT_EXCEEDED');
    const byHash = await second.query(bff, { extensions: apq(sha256(costly)) });
    expect(byHash.status).toBe(400);
    expect(byHash.body.errors?.[0].extensions).toEqual({ code: 'COST_LIMIT_EXCEEDED', cost: 31, maxCost: 20 });
    expect(backend.calls.count('listItems')).toBe(0);
  });

  it('refuses malformed persistedQuery extensions and oversized documents with 400 before any upstream call', async () => {
    const { bff, first, backend } = setup;
    const query = uniqueItemQuery();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ extensions: { persistedQuery: { version: 2, sha256Hash: sha256(query) } } }, 'BAD_REQUEST'],
      [{ extensions: { persistedQuery: 'abc' } }, 'BAD_REQUEST'],
      [{ extensions: apq('z'.repeat(64)) }, 'BAD_REQUEST'],
      [{ extensions: apq(`${sha256(query)}00`) }, 'BAD_REQUEST'],
      [{ extensions: { persistedQuery: { version: 1, sha256Hash: 42 } } }, 'BAD_REQUEST'],
    ];
    const big = `query Big_${randomUUID().replace(/-/g, '')} { getItem(id: "1") { id } }${' '.repeat(2_100)}`;
    cases.push([{ query: big, extensions: apq(sha256(big)) }, 'PAYLOAD_TOO_LARGE']);
    for (const [body, code] of cases) {
      const answer = await first.query(bff, body);
      expect([answer.status, answer.body.errors?.[0].extensions?.code]).toEqual([
        code === 'PAYLOAD_TOO_LARGE' ? 413 : 400,
        code,
      ]);
    }
    expect(backend.calls.count('getItem')).toBe(0);
  });
});

describe('automatic persisted queries on the demo BFFs', () => {
  let demo: CatalogGateway;

  beforeAll(async () => {
    demo = await startCatalogGateway({ web: './bff/web.ts', mobile: './bff/mobile.ts', iot: './bff/iot.ts' });
  });
  afterAll(async () => {
    await demo?.close();
  });
  beforeEach(() => demo.backend.calls.reset());

  it('registers and serves by hash on web and mobile (in memory without Redis), each BFF on its own', async () => {
    const query = `query P_${randomUUID().replace(/-/g, '')} { getProduct(id: "p1") { id name } }`;
    const hash = sha256(query);
    for (const bff of ['web', 'mobile']) {
      expect((await demo.gateway.query(bff, { extensions: apq(hash) })).body.errors?.[0].extensions?.code).toBe(
        'PERSISTED_QUERY_NOT_FOUND',
      );
      expect((await demo.gateway.query(bff, { query, extensions: apq(hash) })).status).toBe(200);
      const byHash = await demo.gateway.query(bff, { extensions: apq(hash) });
      expect(byHash.body).toEqual({ data: { getProduct: { id: 'p1', name: expect.any(String) } } });
    }
    // Mobile's response cache answers the hash with what the registration fetched: one call there, two on web.
    expect(demo.backend.calls.count('getProduct')).toBe(3);
  });

  it('keeps iot persisted-only: a registration is refused and nothing runs', async () => {
    const query = '{ getProduct(id: "p1") { id name } }';
    const registration = await demo.gateway.query('iot', { query, extensions: apq(sha256(query)) }, IOT_KEY);
    expect(registration.status).toBe(400);
    expect(registration.body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const again = await demo.gateway.query('iot', { extensions: apq(sha256(query)) }, IOT_KEY);
    expect(again.body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(demo.backend.calls.count('getProduct')).toBe(0);
  });
});
