import { request as httpRequest } from 'node:http';
import { startCatalogUnderTest, type CatalogUnderTest } from '../helpers/catalog-under-test';
import { postGraphql } from '../helpers/test-gateway';
import { productEvents } from '../fixtures/bff/replay/cached';

const P1 = '{ getProduct(id: "p1") { id name } }';
const P1_BODY = { data: { getProduct: { id: 'p1', name: expect.any(String) } } };

describe('response replay: repeated public cache hits answered before the request pipeline', () => {
  let catalog: CatalogUnderTest;
  const url = (bff: string) => `${catalog.gateway.url}/${bff}/graphql`;
  const post = (bff: string, query: string, headers: Record<string, string> = {}) =>
    postGraphql(url(bff), { query }, headers);
  const metric = async (line: string) => {
    const text = await (await fetch(`${catalog.gateway.url}/metrics`)).text();
    const found = text.split('\n').find((candidate) => candidate.startsWith(`${line} `));
    return found ? Number(found.split(' ').pop()) : 0;
  };
  const replays = (bff: string) => metric(`loom_cache_replays_total{bff="${bff}"}`);

  beforeEach(async () => {
    catalog = await startCatalogUnderTest({
      // Replay answers from node:http before Yoga: it needs a real listener.
      socket: true,
      bffs: {
        cached: './test/fixtures/bff/replay/cached.ts',
        short: './test/fixtures/bff/replay/short-ttl.ts',
        limited: './test/fixtures/bff/replay/rate-limited.ts',
        off: './test/fixtures/bff/replay/no-replay.ts',
        hardened: './test/fixtures/bff/replay/hardened.ts',
        odd: './test/fixtures/bff/replay/cookie-and-vary.ts',
      },
    });
  });
  afterEach(() => catalog.close());

  it('replays a repeated hit: the same body and headers, one upstream call, counted like a served request', async () => {
    const miss = await post('cached', P1, { 'x-request-id': 'first' });
    expect(miss.status).toBe(200);
    expect(miss.headers.get('x-loom-cache')).toBe('MISS');
    expect(miss.body).toEqual(P1_BODY);
    const replayed = await post('cached', P1, { 'x-request-id': 'second' });
    const again = await post('cached', P1);
    for (const response of [replayed, again]) {
      expect(response.status).toBe(200);
      expect(response.body).toEqual(miss.body);
      expect(response.headers.get('x-loom-cache')).toBe('HIT');
      expect(response.headers.get('content-type')).toBe(miss.headers.get('content-type'));
    }
    expect(replayed.headers.get('x-request-id')).toBe('second');
    expect(again.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(catalog.backend.calls.count('getProduct')).toBe(1);
    expect(await replays('cached')).toBe(2);
    expect(await metric('loom_cache_hits_total{bff="cached"}')).toBe(2);
    expect(await metric('loom_requests_total{bff="cached",operation="anonymous",status="200"}')).toBe(3);
  });

  it('replays GET requests too, keyed by their URL', async () => {
    const get = (query: string, headers: Record<string, string> = {}) =>
      fetch(`${url('cached')}?query=${encodeURIComponent(query)}`, {
        headers: { accept: 'application/json', ...headers },
      });
    const first = await get(P1);
    const replayed = await get(P1);
    expect(await replayed.json()).toEqual(P1_BODY);
    // HTTP caching headers are made afresh for the replay, and name the same body.
    expect(replayed.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    expect(replayed.headers.get('etag')).toBe(first.headers.get('etag'));
    const revalidated = await get(P1, { 'if-none-match': first.headers.get('etag')! });
    expect([revalidated.status, await revalidated.text()]).toEqual([304, '']);
    expect((await get('{ getProduct(id: "p2") { id } }')).headers.get('x-loom-cache')).toBe('MISS');
    expect(await replays('cached')).toBe(2);
  });

  it('keys on Accept: a client asking for another media type gets its own answer, not a replay of another', async () => {
    await post('cached', P1);
    const other = await post('cached', P1, { accept: 'application/json' });
    expect(other.headers.get('content-type')).toMatch(/^application\/json/);
    expect(other.headers.get('x-loom-cache')).toBe('HIT');
    expect(await replays('cached')).toBe(0);
  });

  it('stops replaying an entry once it is invalidated: the next request goes upstream', async () => {
    await post('cached', P1);
    await post('cached', P1);
    await productEvents.invalidate([{ typename: 'Product', id: 'p1' }]);
    const fresh = await post('cached', P1);
    expect(fresh.headers.get('x-loom-cache')).toBe('MISS');
    expect(fresh.body).toEqual(P1_BODY);
    expect(catalog.backend.calls.count('getProduct')).toBe(2);
    expect((await post('cached', P1)).headers.get('x-loom-cache')).toBe('HIT');
    expect(await replays('cached')).toBe(2);
  });

  it('stops replaying an entry once its TTL is over', async () => {
    await post('short', P1);
    expect((await post('short', P1)).headers.get('x-loom-cache')).toBe('HIT');
    await new Promise((done) => setTimeout(done, 400));
    expect((await post('short', P1)).headers.get('x-loom-cache')).toBe('MISS');
    expect(catalog.backend.calls.count('getProduct')).toBe(2);
  });

  it('never replays on a BFF whose rate limit must see every request: the 4th hit is still refused with 429', async () => {
    for (let index = 0; index < 3; index++) expect((await post('limited', P1)).status).toBe(200);
    const refused = await post('limited', P1);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect(catalog.backend.calls.count('getProduct')).toBe(1);
    expect(await replays('limited')).toBe(0);
  });

  it('never replays a request carrying credentials, nor when the BFF turns replay off', async () => {
    await post('cached', P1);
    const withCredentials = await post('cached', P1, { authorization: 'Bearer x' });
    expect(withCredentials.headers.get('x-loom-cache')).toBe('HIT');
    expect(await replays('cached')).toBe(0);
    await post('off', P1);
    expect((await post('off', P1)).headers.get('x-loom-cache')).toBe('HIT');
    expect(await replays('off')).toBe(0);
  });

  it('never replays an answer that sets a cookie or varies on a header outside the key', async () => {
    const cookie = `${url('odd')}?cookie=1`;
    for (let index = 0; index < 2; index++) await postGraphql(cookie, { query: P1 });
    expect((await postGraphql(cookie, { query: P1 })).headers.get('x-loom-cache')).toBe('HIT');
    for (let index = 0; index < 2; index++) await post('odd', P1);
    const varied = await post('odd', P1);
    expect(varied.headers.get('x-loom-cache')).toBe('HIT');
    expect(varied.headers.get('vary')).toBe('x-tenant');
    expect(await replays('odd')).toBe(0);
  });

  it('with replay-safe hardening: keys on Origin, replays small bodies, and still refuses a large chunked body with 413', async () => {
    const fromA = await post('hardened', P1, { origin: 'http://a.test' });
    expect(fromA.headers.get('access-control-allow-origin')).toBe('http://a.test');
    expect((await post('hardened', P1, { origin: 'http://a.test' })).headers.get('access-control-allow-origin')).toBe(
      'http://a.test',
    );
    expect(await replays('hardened')).toBe(1);
    const fromB = await post('hardened', P1, { origin: 'http://b.test' });
    expect(fromB.headers.get('access-control-allow-origin')).toBe('http://b.test');
    expect(await replays('hardened')).toBe(1);

    // Above the 1 KiB replay limit: served (and cached) by the full path, never replayed.
    const padded = `${P1}${' '.repeat(2000)}`;
    expect((await post('hardened', padded)).body).toEqual(P1_BODY);
    expect((await post('hardened', padded)).headers.get('x-loom-cache')).toBe('HIT');
    expect(await replays('hardened')).toBe(1);

    // A chunked body past the 30 000-byte limit: what replay read goes back to the stream and the body limit refuses it.
    const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        url('hardened'),
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.write(JSON.stringify({ query: P1 }).slice(0, -1));
      req.write(`, "pad": "${'x'.repeat(40_000)}"}`);
      req.end();
    });
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.body).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    // The padded document is an entry of its own: two upstream calls in all.
    expect(catalog.backend.calls.count('getProduct')).toBe(2);
  });
});
