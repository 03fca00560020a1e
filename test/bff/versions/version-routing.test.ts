import { request as httpRequest } from 'node:http';
import type { RunningBackend } from '../../../demo/http-backend';
import { startCrmBackend } from '../../fixtures/versions/crm-backend';
import { REPO_ROOT, startTestGateway, type TestGateway } from '../../helpers/test-gateway';
import { connectClient, subscribe } from '../../server/websocket/ws-test-clients';

/** A query only v1 answers (`name`) and one only v2 answers (`fullName`): the answer says which version served. */
const V1_ONLY = '{ getCustomer(id: "1") { name } }';
const V2_ONLY = '{ getCustomer(id: "1") { fullName } }';

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** POST over a raw socket with the path exactly as written (fetch would resolve dot segments first). */
function rawPost(
  baseUrl: string,
  path: string,
  query: string,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  const body = JSON.stringify({ query });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        hostname,
        port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('versioned BFF routing: paths, the version header and client ranges', () => {
  let backend: RunningBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    backend = await startCrmBackend();
    gateway = await startTestGateway(
      {
        sources: [
          { name: 'crm', kind: 'openapi', spec: './test/fixtures/versions/crm-openapi.yaml', endpoint: backend.url },
        ],
        bffs: { shop: './test/fixtures/versions/shop.ts' },
      },
      REPO_ROOT,
      // Before v1's deprecation: routing, not lifecycle, is under test.
      { socket: true, now: () => Date.parse('2026-03-01T00:00:00Z') },
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await backend?.close();
  });
  beforeEach(() => backend.calls.reset());

  const served = async (path: string, headers: Record<string, string> = {}) => {
    const v1 = await rawPost(gateway.url, path, V1_ONLY, headers);
    const v2 = await rawPost(gateway.url, path, V2_ONLY, headers);
    if (v1.status === 200 && v2.status === 400) return 'v1';
    if (v2.status === 200 && v1.status === 400) return 'v2';
    return `neither (${v1.status}, ${v2.status})`;
  };

  it('routes /shop/graphql by x-api-version; the path wins over the header', async () => {
    expect(await served('/shop/graphql')).toBe('v2');
    expect(await served('/shop/graphql', { 'x-api-version': 'v1' })).toBe('v1');
    // Surrounding whitespace is not part of a header value (RFC 9110 OWS).
    expect(await served('/shop/graphql', { 'x-api-version': ' v1\t' })).toBe('v1');
    expect(await served('/shop/graphql', { 'x-api-version': 'v2' })).toBe('v2');
    expect(await served('/shop/v2/graphql', { 'x-api-version': 'v1' })).toBe('v2');
    expect(await served('/shop/v1/graphql', { 'x-api-version': 'v2' })).toBe('v1');
    expect(backend.calls.count()).toBe(6);
  });

  it('says which request headers chose the version on /shop/graphql (Vary), and only there', async () => {
    const routed = await rawPost(gateway.url, '/shop/graphql', V2_ONLY);
    expect(routed.headers.vary).toBe('x-api-version, apollographql-client-name, apollographql-client-version');
    const byHeader = await rawPost(gateway.url, '/shop/graphql', V1_ONLY, { 'x-api-version': 'v1' });
    expect(byHeader.headers.vary).toBe('x-api-version, apollographql-client-name, apollographql-client-version');
    expect((await rawPost(gateway.url, '/shop/v1/graphql', V1_ONLY)).headers.vary).toBeUndefined();
  });

  it('refuses an unknown, differently cased, oversized or garbage version header with 400, never echoing it', async () => {
    for (const value of ['v9', 'V1', 'v1,v2', '../v1', '%76%31', 'x'.repeat(8000), '__proto__', 'constructor']) {
      const answer = await rawPost(gateway.url, '/shop/graphql', V2_ONLY, { 'x-api-version': value });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toEqual({
        errors: [
          {
            message: 'The x-api-version header names no version of this API; known: v1, v2',
            extensions: { code: 'UNKNOWN_API_VERSION', versions: ['v1', 'v2'] },
          },
        ],
      });
    }
    // The same through gateway.fetch (in-process callers).
    const inProcess = await gateway.fetch('/shop/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-version': 'v3' },
      body: JSON.stringify({ query: V2_ONLY }),
    });
    expect(inProcess.status).toBe(400);
    expect(backend.calls.count()).toBe(0);
  });

  it('routes by client name and version range when the header is absent', async () => {
    const ios = (version: string) => ({
      'apollographql-client-name': 'shop-ios',
      'apollographql-client-version': version,
    });
    expect(await served('/shop/graphql', ios('1.9.3'))).toBe('v1');
    expect(await served('/shop/graphql', ios('1.0'))).toBe('v1');
    expect(await served('/shop/graphql', ios('2.0.0-rc.1'))).toBe('v2');
    expect(await served('/shop/graphql', ios('2.0.0'))).toBe('v2');
    expect(await served('/shop/graphql', ios('banana'))).toBe('v2');
    expect(await served('/shop/graphql', ios('9'.repeat(500)))).toBe('v2');
    expect(
      await served('/shop/graphql', {
        'apollographql-client-name': 'shop-android',
        'apollographql-client-version': '1.0.0',
      }),
    ).toBe('v2');
    // The header beats the client route.
    expect(await served('/shop/graphql', { ...ios('1.0.0'), 'x-api-version': 'v2' })).toBe('v2');
  });

  it('resolves dot segments like a URL parser and never decodes a version name', async () => {
    expect(await served('/shop/v1/../graphql')).toBe('v2');
    expect(await served('/shop/v2/../v1/graphql')).toBe('v1');
    expect(await served('/shop/graphql/../v1/graphql')).toBe('v1');
    expect(await served('/shop/./v1/graphql')).toBe('v1');
    // WHATWG URL reads %2e%2e as a dot segment too.
    expect(await served('/shop/v1/%2e%2e/graphql')).toBe('v2');
    for (const path of [
      '/shop/%761/graphql',
      '/shop/v1%2Fgraphql',
      '/shop//v1/graphql',
      '/shop/V1/graphql',
      '/shop/v3/graphql',
      '/shop/__proto__/graphql',
      '/shop/constructor/graphql',
      '/shop/v1',
      `/shop/${'v'.repeat(5000)}/graphql`,
    ]) {
      const answer = await rawPost(gateway.url, path, V2_ONLY);
      expect([path, answer.status]).toEqual([path, 404]);
    }
    expect(backend.calls.count()).toBe(5);
  });

  it('lists every version endpoint on a 404', async () => {
    const answer = await rawPost(gateway.url, '/shop/v3/graphql', V2_ONLY);
    expect(JSON.parse(answer.body)).toEqual({
      error: 'not found',
      bffs: ['/shop/v1/graphql', '/shop/graphql'],
    });
  });

  it('serves GraphiQL on each version path, posting to that version', async () => {
    for (const [path, endpoint, title] of [
      ['/shop/v1/graphql', '/shop/v1/graphql', 'shop v1 · GraphiQL · Loom'],
      ['/shop/v2/graphql', '/shop/graphql', 'shop v2 · GraphiQL · Loom'],
      ['/shop/graphql', '/shop/graphql', 'shop v2 · GraphiQL · Loom'],
    ]) {
      const page = await fetch(`${gateway.url}${path}`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(`<title>${title}</title>`);
      expect(html).toContain(`"endpoint":"${endpoint}"`);
    }
  });

  it('speaks graphql-ws on each version path, each version with its own schema', async () => {
    for (const [path, query, expected] of [
      ['shop/v1', V1_ONLY, { getCustomer: { name: 'Ada Lovelace' } }],
      ['shop/v2', V2_ONLY, { getCustomer: { fullName: 'Ada Lovelace' } }],
      ['shop', V2_ONLY, { getCustomer: { fullName: 'Ada Lovelace' } }],
    ] as const) {
      const { client, connected } = connectClient(gateway.url, path);
      try {
        await connected;
        const operation = subscribe(client, { query });
        await operation.ended;
        expect([path, operation.results]).toEqual([path, [{ data: expected }]]);
      } finally {
        await client.dispose();
      }
    }
  });
});
