import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { negotiateEncoding, resolveCompression } from '../../src/plugins/http/use-compression';
import { validateConfig } from '../../src/config/validate-config';
import { ConfigError } from '../../src/core/errors';
import type { RunningBackend } from '../../demo/http-backend';
import { startItemsBackend } from '../fixtures/ratelimit/items-backend';
import { REPO_ROOT, startTestGateway, type TestGateway } from '../helpers/test-gateway';

describe('negotiateEncoding', () => {
  it.each([
    ['gzip, br', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=1.0, br;q=0.5', 'gzip'],
    ['*', 'br'],
    ['identity', undefined],
    ['deflate', undefined],
    ['*;q=0', undefined],
  ])('%s -> %s', (header, expected) => {
    expect(negotiateEncoding(header, ['br', 'gzip'])).toBe(expected);
  });

  it('honours the offered list', () => {
    expect(negotiateEncoding('gzip, br', ['gzip'])).toBe('gzip');
    expect(negotiateEncoding(null, ['gzip'])).toBeUndefined();
  });
});

describe('compression options', () => {
  it('fail at start-up', () => {
    expect(() => resolveCompression({ minBytes: -1 })).toThrow(
      'useCompression: minBytes must be a positive integer, got -1',
    );
    expect(() => resolveCompression({ encodings: ['zstd' as 'br'] })).toThrow(
      'useCompression: encodings must be a non-empty list of br, gzip, got ["zstd"]',
    );
    const spec = './test/fixtures/ratelimit/items/openapi.yaml';
    const config = { sources: [{ name: 'items', kind: 'openapi', spec }], bffs: { web: './bff/web.ts' } };
    expect(() => validateConfig({ ...config, compression: { encodings: [] } }, 'loom.config.ts', REPO_ROOT)).toThrow(
      new ConfigError('loom.config.ts: compression.encodings must be a non-empty list of br, gzip, got []'),
    );
    expect(validateConfig({ ...config, compression: true }, 'loom.config.ts', REPO_ROOT).compression).toEqual({
      minBytes: 1024,
      encodings: ['br', 'gzip'],
    });
    expect(validateConfig(config, 'loom.config.ts', REPO_ROOT).compression).toBeUndefined();
  });
});

describe('a gateway with compression on', () => {
  let backend: RunningBackend;
  let gateway: TestGateway;
  const query = JSON.stringify({ query: '{ listItems { id name } }' });
  const expected = { data: { listItems: [1, 2, 3].map((id) => ({ id: String(id), name: `Item ${id}` })) } };
  const post = (headers: Record<string, string>) =>
    gateway.fetch('/web/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: query,
    });

  beforeAll(async () => {
    backend = await startItemsBackend();
    const spec = './test/fixtures/ratelimit/items/openapi.yaml';
    gateway = await startTestGateway({
      sources: [{ name: 'items', kind: 'openapi', spec, endpoint: backend.url }],
      bffs: { web: './test/fixtures/bff/open.ts' },
      compression: { minBytes: 64 },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await backend?.close();
  });

  it('answers br, then gzip, by Accept-Encoding', async () => {
    const br = await post({ 'accept-encoding': 'gzip, br' });
    expect([br.status, br.headers.get('content-encoding'), br.headers.get('vary')]).toEqual([
      200,
      'br',
      'Accept-Encoding',
    ]);
    const brBody = Buffer.from(await br.arrayBuffer());
    expect(Number(br.headers.get('content-length'))).toBe(brBody.byteLength);
    expect(JSON.parse(brotliDecompressSync(brBody).toString())).toEqual(expected);
    const gzip = await post({ 'accept-encoding': 'br;q=0, gzip' });
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    expect(JSON.parse(gunzipSync(Buffer.from(await gzip.arrayBuffer())).toString())).toEqual(expected);
  });

  it('answers identity to a client that accepts no offered encoding', async () => {
    const plain = await post({ 'accept-encoding': 'identity' });
    expect([plain.headers.get('content-encoding'), plain.headers.get('vary')]).toEqual([null, 'Accept-Encoding']);
    expect(await plain.json()).toEqual(expected);
  });

  it('leaves bodies under minBytes alone', async () => {
    const small = await gateway.fetch('/healthz', { headers: { 'accept-encoding': 'gzip' } });
    expect(small.headers.get('content-encoding')).toBeNull();
    expect(await small.json()).toEqual({ status: 'ok' });
  });

  it('compresses the other routes (/metrics)', async () => {
    const metrics = await gateway.fetch('/metrics', { headers: { 'accept-encoding': 'gzip' } });
    expect(metrics.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await metrics.arrayBuffer())).toString()).toContain(
      '# TYPE process_cpu_seconds_total counter',
    );
  });

  it('never compresses an SSE stream', async () => {
    const sse = await post({ 'accept-encoding': 'gzip, br', accept: 'text/event-stream' });
    // 'none' is Yoga's own, which also tells proxies to leave the stream alone.
    expect([sse.status, sse.headers.get('content-type'), sse.headers.get('content-encoding')]).toEqual([
      200,
      'text/event-stream',
      'none',
    ]);
    const text = await sse.text();
    expect(text).toContain(`data: ${JSON.stringify(expected)}`);
  });
});

describe('compression over node:http', () => {
  it('compresses BFF answers sent by the node adapter', async () => {
    const backend = await startItemsBackend();
    const spec = './test/fixtures/ratelimit/items/openapi.yaml';
    const gateway = await startTestGateway(
      {
        sources: [{ name: 'items', kind: 'openapi', spec, endpoint: backend.url }],
        bffs: { web: './test/fixtures/bff/open.ts' },
        compression: { minBytes: 64 },
      },
      REPO_ROOT,
      { socket: true },
    );
    try {
      // fetch (undici) decompresses the body and keeps the header.
      const response = await gateway.fetch('/web/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-encoding': 'br' },
        body: JSON.stringify({ query: '{ listItems { id name } }' }),
      });
      expect(response.headers.get('content-encoding')).toBe('br');
      expect(await response.json()).toEqual({
        data: { listItems: [1, 2, 3].map((id) => ({ id: String(id), name: `Item ${id}` })) },
      });
    } finally {
      await gateway.close();
      await backend.close();
    }
  });
});
