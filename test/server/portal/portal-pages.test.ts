import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { resolve } from 'node:path';
import { startCatalogBackend, type CatalogBackend } from '../../../demo/catalog-backend';
import { demoIotApiKey } from '../../../demo/demo-auth';
import { GRAPHIQL_ASSET_BASE } from '../../../src/bff/browser/graphiql-assets';
import { escapeHtml } from '../../../src/bff/browser/html';
import { histogramP95Ms } from '../../../src/server/portal/live-health';
import type { LoomConfig } from '../../../src/config/types';
import { REPO_ROOT, startTestGateway, type TestGateway } from '../../helpers/test-gateway';

const HOSTILE_SDL = resolve(REPO_ROOT, 'test/fixtures/portal/hostile.graphql');
/** Every description and reason in the hostile SDL, as the portal must show it: as text. */
const HOSTILE_TEXTS = [
  `<script>window.__pwned = 'type description'</script> Widgets <img src=x onerror="window.__pwned='img'">`,
  `<script>window.__pwned = 'field description'</script>`,
  `<b onmouseover="window.__pwned='reason'">use id</b>`,
  `</code></div><script>window.__pwned = 'enum value'</script>`,
  `"><script>window.__pwned = 'root field'</script>`,
];

function config(catalogUrl: string, extra: Partial<LoomConfig> = {}): Omit<LoomConfig, 'port'> {
  return {
    sources: [
      {
        name: 'catalog',
        kind: 'openapi',
        spec: './sources/catalog/openapi.yaml',
        endpoint: catalogUrl,
        headers: { 'x-api-key': 'portal-test-key' },
      },
      {
        name: 'widgets',
        kind: 'graphql',
        sdl: './test/fixtures/portal/hostile.graphql',
        endpoint: 'http://127.0.0.1:9/',
      },
    ],
    bffs: {
      web: './bff/web.ts',
      mobile: './bff/mobile.ts',
      iot: './bff/iot.ts',
      hostile: './test/fixtures/portal/hostile-example-bff.ts',
    },
    ...extra,
  };
}

/** What Chromium sends when it opens a page. */
const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/** A GET with the path exactly as written (no URL normalisation), over the socket. */
function rawGet(baseUrl: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolveResponse, reject) => {
    const request = httpRequest({ host: hostname, port, path, method: 'GET' }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolveResponse({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

describe('portal pages', () => {
  let backend: CatalogBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    backend = await startCatalogBackend({ apiKey: 'portal-test-key' });
    gateway = await startTestGateway(config(backend.url), undefined, { socket: true });
  });
  afterAll(async () => {
    await gateway?.close();
    await backend?.close();
  });

  const get = async (path: string, headers: Record<string, string> = html) => {
    const response = await gateway.fetch(path, { headers });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };

  it('lists every BFF with its endpoint and its policies in words', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    for (const bff of ['web', 'mobile', 'iot']) expect(page.text).toContain(`<code>/${bff}/graphql</code>`);
    expect(page.text).toContain(
      '20,000 cost units per minute per user (anonymous callers: per address) (plan pro: 100,000).',
    );
    expect(page.text).toContain('A mutation needs scope shop:write (403 FORBIDDEN without).');
    expect(page.text).toContain('Every call needs an API key in x-api-key (401 UNAUTHENTICATED without).');
    expect(page.text).toContain('Answers without errors are cached for 30 s (x-loom-cache: HIT or MISS).');
    expect(page.text).toContain('Product: 60 s.');
    expect(page.text).toContain('An operation may cost at most 200');
    // The persisted operations of iot, with their cost under iot's cost options.
    expect(page.text).toContain('query ProductPrices { listProducts { id price currency } }');
    expect(page.text).toMatch(/<b>ProductPrices<\/b>.*?<td>31<\/td>/s);
  });

  it('shows every name and description from a spec as text, on every page', async () => {
    const reference = await get('/_loom/portal/bffs/web');
    expect(reference.status).toBe(200);
    for (const text of HOSTILE_TEXTS) expect(reference.text).toContain(escapeHtml(text));
    const portal = await get('/');
    for (const page of [reference.text, portal.text]) {
      expect(page).not.toMatch(/<script>window|<img src=x|<svg onload|<b onmouseover/);
      // The one script is the search, from this origin.
      expect(page.match(/<script/g)?.length ?? 0).toBeLessThanOrEqual(1);
    }
    // The SDL fixture really holds the markup this test looks for.
    const sdl = readFileSync(HOSTILE_SDL, 'utf8');
    expect(sdl).toContain('<script>window.__pwned');
  });

  it('names the source that serves each field and links root fields to GraphiQL', async () => {
    const reference = (await get('/_loom/portal/bffs/web')).text;
    expect(reference).toMatch(/<b>tier<\/b><\/code>: .*?<span class="badge" title="served by">catalog<\/span>/);
    expect(reference).toMatch(/<b>widget<\/b><\/code>.*?<span class="badge" title="served by">widgets<\/span>/);
    const link = /href="(\/web\/graphql\?query=[^"]+)">open in GraphiQL/.exec(reference);
    expect(decodeURIComponent(link![1].replace(/&amp;/g, '&').split('query=')[1])).toMatch(
      /^query ListProducts \{\n {2}listProducts\(limit: 3\)/,
    );
  });

  it('serves GraphiQL with every asset from Loom and a query that runs', async () => {
    const page = await get('/web/graphql');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>web · GraphiQL · Loom</title>');
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(page.text).not.toMatch(/https?:\/\//);
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(assets.length).toBe(4);
    for (const asset of assets) {
      expect(asset.startsWith(GRAPHIQL_ASSET_BASE)).toBe(true);
      expect((await gateway.fetch(asset)).status).toBe(200);
    }
    for (const worker of ['editor', 'json', 'graphql'])
      expect((await gateway.fetch(`${GRAPHIQL_ASSET_BASE}${worker}.worker.js`)).status).toBe(200);
    const options = JSON.parse(
      /<script type="application\/json" id="loom-graphiql-options">(.*?)<\/script>/s.exec(page.text)![1],
    );
    const result = await gateway.query('web', { query: options.graphiql.defaultQuery });
    expect(result.status).toBe(200);
    expect(result.body.data?.listProducts).toHaveLength(3);
  });

  it("keeps a BFF file's description and example query inside their elements", async () => {
    const graphiql = await get('/hostile/graphql');
    expect(graphiql.text).not.toContain('</script><script>window');
    expect(graphiql.text.match(/<\/script>/g)).toHaveLength(3);
    const options = JSON.parse(/id="loom-graphiql-options">(.*?)<\/script>/s.exec(graphiql.text)![1]);
    expect(options.graphiql.defaultQuery).toContain('# </script><script>window.__pwned = "example"</script>');
    const portal = await get('/');
    expect(portal.text).toContain('&lt;script&gt;window.__pwned = &quot;description&quot;&lt;/script&gt;');
    expect(portal.text).not.toContain('<script>window');
  });

  it('caches GraphiQL assets by content and answers only GET and HEAD', async () => {
    const url = `${GRAPHIQL_ASSET_BASE}graphiql.css`;
    const first = await gateway.fetch(url);
    expect(first.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(first.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const etag = first.headers.get('etag')!;
    await first.arrayBuffer();
    const again = await gateway.fetch(url, { headers: { 'if-none-match': etag } });
    expect([again.status, await again.text()]).toEqual([304, '']);
    const head = await gateway.fetch(url, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
    const post = await gateway.fetch(url, { method: 'POST', body: 'x' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it.each([
    `${GRAPHIQL_ASSET_BASE}../../package.json`,
    `${GRAPHIQL_ASSET_BASE}..%2F..%2Fpackage.json`,
    `${GRAPHIQL_ASSET_BASE}%2e%2e/%2e%2e/%2e%2e/package.json`,
    `${GRAPHIQL_ASSET_BASE}..%5c..%5cpackage.json`,
    `${GRAPHIQL_ASSET_BASE}graphiql%2Ejs`,
    `${GRAPHIQL_ASSET_BASE}graphiql.js/`,
    `${GRAPHIQL_ASSET_BASE}graphiql.js%00`,
    `${GRAPHIQL_ASSET_BASE}%2Fetc%2Fpasswd`,
    '/_loom/graphiql/../../../../etc/passwd',
    '/_loom/graphiql/0.0.0/graphiql.js',
    '/_loom/page/..%2F..%2Fpackage.json',
    '/_loom/page/style.css',
    '/_loom/portal/bffs/__proto__',
    '/_loom/portal/bffs/web%2F..%2Fiot',
    '/_loom/portal/sources/catalog/spec/1',
    '/_loom/portal/sources/catalog/spec/-1',
    '/_loom/portal/sources/catalog/spec/0%2F..%2F..%2Fpackage.json',
    '/_loom/portal/sources/..%2F..%2Fpackage.json/spec/0',
    '/_loom/portal/sources/nope/spec/0',
  ])('answers 404 to %s, as sent on the wire', async (path) => {
    const response = await rawGet(gateway.url, path);
    expect(response.status).toBe(404);
    expect(response.body).not.toContain('"name": "loom"');
    expect(response.body).not.toContain('root:');
  });

  it('answers 404 to a 100 KB asset path, and a path past the header limit is refused before routing', async () => {
    const long = await gateway.gateway.fetch(
      new Request(`http://loom.in-process${GRAPHIQL_ASSET_BASE}${'a/'.repeat(50_000)}`),
    );
    expect([long.status, await long.text()]).toEqual([404, 'not found']);
    const overLimit = await rawGet(gateway.url, `${GRAPHIQL_ASSET_BASE}${'a'.repeat(70_000)}`);
    expect(overLimit.status).toBe(431);
    expect((await rawGet(gateway.url, `${GRAPHIQL_ASSET_BASE}start-graphiql.js`)).status).toBe(200);
  });

  it('downloads a source spec by name and index only', async () => {
    const spec = await gateway.fetch('/_loom/portal/sources/catalog/spec/0');
    expect(spec.status).toBe(200);
    expect(spec.headers.get('content-disposition')).toBe('inline; filename="openapi.yaml"');
    expect(spec.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(await spec.text()).toBe(readFileSync(resolve(REPO_ROOT, 'sources/catalog/openapi.yaml'), 'utf8'));
  });

  it('shows a persisted-only BFF its operations instead of an error, and still serves its devices', async () => {
    const page = await get('/iot/graphql');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h2>The operations this BFF accepts (3)</h2>');
    expect(page.text).toContain(`curl -s ${gateway.url}/iot/graphql`);
    for (const name of ['ProductPrice', 'ProductPrices', 'ProductsByTag'])
      expect(page.text).toContain(`<h3>${name}</h3>`);
    // A GET naming an operation is a GraphQL request, whatever the browser accepts: the key is checked.
    const id = '8f0d9a4f639252f6c687beae81608c3306ff7ed4ca40f4c1f8048d34c2c4bdca';
    expect((await get(`/iot/graphql?documentId=${id}`)).status).toBe(401);
    const keyed = await get(`/iot/graphql?documentId=${id}`, { 'x-api-key': demoIotApiKey() });
    expect(keyed.status).toBe(200);
    expect(JSON.parse(keyed.text).data.listProducts).toHaveLength(5);
    const raw = await gateway.query('iot', { query: '{ listProducts { id } }' }, { 'x-api-key': demoIotApiKey() });
    expect([raw.status, raw.body.errors?.[0].extensions?.code]).toEqual([400, 'PERSISTED_QUERY_NOT_FOUND']);
  });

  it("shows live source health and traffic from the gateway's own metrics", async () => {
    await gateway.query('web', { query: '{ listProducts(limit: 1) { id } }', operationName: undefined });
    const page = (await get('/')).text;
    expect(page).toMatch(/Since start: [1-9]\d* calls, error rate 0\.0%, p95 ≤ [\d.]+ ms/);
    expect(page).toContain(`<code>${backend.url}</code>`);
    expect(page).toContain('<td class="state-closed">closed</td>');
    expect(page).toMatch(/<td>web<\/td><td><code>anonymous<\/code><\/td><td>\d+<\/td><td>0\.0%<\/td>/);
    expect(page).not.toContain('<code>Broken</code>');
    const failed = await gateway.query('web', { query: 'query Broken { listProducts(limit: -1) { id } }' });
    expect(failed.status).toBe(400);
    const after = (await get('/')).text;
    expect(after).toMatch(
      /Highest error rate since start.*?<td>web<\/td><td><code>Broken<\/code><\/td><td>1<\/td><td>100\.0%<\/td>/s,
    );
  });

  it('refuses anything but GET and HEAD on pages', async () => {
    const response = await gateway.fetch('/', { method: 'POST', body: '{}' });
    expect([response.status, response.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });
});

describe('portal with an admin port', () => {
  let backend: CatalogBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    backend = await startCatalogBackend({ apiKey: 'portal-test-key' });
    gateway = await startTestGateway(config(backend.url, { admin: { port: 0 }, production: true }));
  });
  afterAll(async () => {
    await gateway?.close();
    await backend?.close();
  });

  const admin = (path: string) =>
    gateway.gateway.adminFetch(new Request(`http://loom.in-process${path}`, { headers: html }));

  it('keeps health details and hidden schemas off the client port', async () => {
    const client = await (await gateway.fetch('/', { headers: html })).text();
    expect(client).not.toContain(backend.url);
    expect(client).toContain('Live health (breakers, error rates, latency) is on the admin port.');
    // mobile answers no introspection in production: its schema stays hidden from clients.
    expect(client).not.toContain('href="/_loom/portal/bffs/mobile"');
    expect((await gateway.fetch('/_loom/portal/bffs/mobile', { headers: html })).status).toBe(404);
    expect((await gateway.fetch('/_loom/portal/bffs/web', { headers: html })).status).toBe(200);

    const operators = await (await admin('/')).text();
    expect(operators).toContain(`<code>${backend.url}</code>`);
    expect(operators).toContain('href="/_loom/portal/bffs/mobile"');
    expect((await admin('/_loom/portal/bffs/mobile')).status).toBe(200);
    expect((await admin(`${GRAPHIQL_ASSET_BASE}graphiql.css`)).status).toBe(200);
  });
});

describe('histogramP95Ms', () => {
  it('is the upper bound of the bucket that holds 95% of the calls', () => {
    expect(histogramP95Ms([])).toBeUndefined();
    expect(
      histogramP95Ms([
        { le: 0.01, count: 0 },
        { le: Infinity, count: 0 },
      ]),
    ).toBeUndefined();
    expect(
      histogramP95Ms([
        { le: 0.005, count: 90 },
        { le: 0.025, count: 96 },
        { le: 0.1, count: 100 },
        { le: Infinity, count: 100 },
      ]),
    ).toBe(25);
    expect(
      histogramP95Ms([
        { le: 10, count: 1 },
        { le: Infinity, count: 100 },
      ]),
    ).toBe(Infinity);
  });
});
