import { request as httpRequest } from 'node:http';
import { DEMO_BFFS, startCatalogGateway, type CatalogGateway } from '../bff/catalog-gateway';
import { buildHostileCorpus, secureAuth, type HostileRequest } from './hostile-corpus';

interface RawResponse {
  status: number;
  body: { errors?: Array<{ message: string; extensions?: { code?: string } }>; data?: unknown } | undefined;
  text: string;
}

/** node:http, not fetch: the corpus needs raw bytes, chunked bodies and no implicit headers. */
function send(baseUrl: string, entry: HostileRequest): Promise<RawResponse> {
  const url = new URL(`/${entry.bff}/graphql${entry.search ? `?${entry.search}` : ''}`, baseUrl);
  const payload = entry.rawBody ?? (entry.body === undefined ? undefined : Buffer.from(JSON.stringify(entry.body)));
  const headers: Record<string, string | number> = {
    accept: 'application/graphql-response+json, application/json',
    ...entry.headers,
  };
  if (payload && !entry.chunked) headers['content-length'] = payload.length;
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: entry.method ?? 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: RawResponse['body'];
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body, text });
      });
      res.on('error', reject);
    });
    // The gateway may answer (413) and close before the whole chunked body is written.
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
    );
    if (payload && entry.chunked) {
      for (let offset = 0; offset < payload.length; offset += 16_384)
        req.write(payload.subarray(offset, offset + 16_384));
    } else if (payload) {
      req.write(payload);
    }
    req.end();
  });
}

function mismatch(entry: HostileRequest, response: RawResponse): string | undefined {
  const codes = (response.body?.errors ?? []).map((error) => error.extensions?.code);
  const problems: string[] = [];
  if (response.status !== entry.expectStatus) problems.push(`status ${response.status} (want ${entry.expectStatus})`);
  if (entry.expectCode !== undefined && !codes.includes(entry.expectCode))
    problems.push(`codes ${JSON.stringify(codes)} (want ${entry.expectCode})`);
  if (entry.expectNoSuggestion && /did you mean/i.test(response.text)) problems.push('leaks a suggestion');
  if (response.body?.data !== undefined && response.body.data !== null)
    problems.push(`returned data ${JSON.stringify(response.body.data).slice(0, 80)}`);
  if (/\bat [\w.<>]+ \(|127\.0\.0\.1:\d+/.test(response.text))
    problems.push('leaks a stack trace or an upstream address');
  return problems.length
    ? `${entry.bff} ${entry.name}: ${problems.join('; ')}; body ${response.text.slice(0, 200)}`
    : undefined;
}

describe('hostile-query corpus against a real gateway over the demo catalog', () => {
  let demo: CatalogGateway;
  let corpus: HostileRequest[];

  beforeAll(async () => {
    corpus = await buildHostileCorpus();
    demo = await startCatalogGateway(
      {
        ...DEMO_BFFS,
        secure: './test/security/fixtures/secure-bff.ts',
        blocked: './test/security/fixtures/blocked-bff.ts',
      },
      { socket: true },
    ); // raw bytes, chunked bodies and peer addresses need a real listener
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('holds at least 40 hostile requests covering every family', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    const families = new Set(corpus.map((entry) => entry.name.split(':')[0]));
    expect([...families].sort()).toEqual(
      [
        'accept',
        'aliases',
        'auth',
        'batch',
        'body',
        'content-type',
        'cost',
        'depth',
        'directives',
        'fragments',
        'introspection',
        'ip',
        'json',
        'jwt',
        'operations',
        'strings',
        'suggestions',
        'utf-8',
        'variables',
      ].sort(),
    );
    expect(new Set(corpus.map((entry) => entry.name)).size).toBe(corpus.length);
  });

  it('refuses every hostile request with its code and status, none reaching the upstream, while normal traffic is served', async () => {
    demo.backend.calls.reset();
    const normal = {
      name: 'normal',
      bff: 'web' as const,
      headers: { 'content-type': 'application/json' },
      body: { query: '{ getProduct(id: "p1") { id name } }' },
      expectStatus: 200,
    };
    const normalSecure = { ...normal, bff: 'secure' as const, headers: await secureAuth() };
    const normalResults: RawResponse[] = [];
    let hostileDone = false;
    // Normal clients keep querying for as long as the attack lasts (and at least a few times).
    const normalTraffic = (async () => {
      while (!hostileDone || normalResults.length < 6) {
        normalResults.push(await send(demo.gateway.url, normalResults.length % 2 === 0 ? normal : normalSecure));
      }
    })();
    const responses = await Promise.all(corpus.map((entry) => send(demo.gateway.url, entry)));
    hostileDone = true;
    await normalTraffic;

    const problems = corpus
      .map((entry, index) => mismatch(entry, responses[index]))
      .filter((problem) => problem !== undefined);
    expect(problems).toEqual([]);
    for (const result of normalResults) {
      expect(result.status).toBe(200);
      expect(result.body).toEqual({ data: { getProduct: { id: 'p1', name: expect.any(String) } } });
    }
    // Each normal query costs exactly one getProduct call; the hostile ones cost nothing.
    expect(demo.backend.calls.count('getProduct')).toBe(normalResults.length);
    expect(demo.backend.calls.count()).toBe(normalResults.length);
  });

  it('still serves normal queries on every BFF afterwards', async () => {
    const auth = await secureAuth();
    expect((await demo.gateway.query('web', { query: '{ listCustomers { id } }' })).status).toBe(200);
    expect((await demo.gateway.query('mobile', { query: '{ listProducts(limit: 2) { id } }' })).body).toEqual({
      data: { listProducts: [{ id: 'p1' }, { id: 'p2' }] },
    });
    expect((await demo.gateway.query('secure', { query: '{ getCustomer(id: "1") { id } }' }, auth)).body).toEqual({
      data: { getCustomer: { id: '1' } },
    });
  });
});
