import { validateConfig } from '../../src/config/validate-config';
import type { LoomConfig } from '../../src/config/types';
import { createHttpClient, type HttpClient } from '../../src/upstream/create-http-client';
import { startFaultServer, type Fault, type FaultServer } from '../helpers/fault-server';
import { REPO_ROOT, startTestGateway, type TestGateway } from '../helpers/test-gateway';

const ITEM: Fault = { kind: 'json', body: { id: '1', name: 'Item 1' } };
const upstream = {
  retry: false as const,
  outlierDetection: false as const,
  circuitBreaker: { minimumCalls: 2, failureRateThreshold: 0.5 },
};

/** Faults in the body of an answer: the headers came, the body did not, or not all of it, or too much. */
describe('HTTP client: faults while reading the body', () => {
  let backend: FaultServer;
  let client: HttpClient;
  beforeEach(async () => {
    backend = await startFaultServer(ITEM);
  });
  afterEach(async () => {
    await client?.close();
    await backend?.close();
  });

  it('bounds the whole attempt, body included: a backend that drips a byte at a time is cut at timeoutMs', async () => {
    client = createHttpClient({ source: 'items', endpoints: backend.url, timeoutMs: 300, upstream });
    // Each byte comes well within the timeout, so an idle timer alone would wait forever.
    backend.fault = { kind: 'drip', intervalMs: 50 };
    const call = client.fetch(`${backend.url}/items/1`).then((response) => response.text());
    await expect(call).rejects.toMatchObject({
      extensions: { code: 'UPSTREAM_TIMEOUT', source: 'items', http: { status: 504 } },
    });
    backend.fault = ITEM;
    expect(await (await client.fetch(`${backend.url}/items/1`)).json()).toEqual({ id: '1', name: 'Item 1' });
  });

  it.each<[string, Fault]>([
    ['drips its headers', { kind: 'drip-headers', intervalMs: 50 }],
    ['never answers', { kind: 'black-hole' }],
  ])('cuts a backend that %s at timeoutMs', async (_label, fault) => {
    client = createHttpClient({ source: 'items', endpoints: backend.url, timeoutMs: 300, upstream });
    backend.fault = fault;
    await expect(client.fetch(`${backend.url}/items/1`)).rejects.toMatchObject({
      extensions: { code: 'UPSTREAM_TIMEOUT', source: 'items' },
    });
  });

  it('answers UPSTREAM_BAD_RESPONSE when the answer is not HTTP at all', async () => {
    client = createHttpClient({ source: 'items', endpoints: backend.url, upstream });
    backend.fault = { kind: 'garbage' };
    await expect(client.fetch(`${backend.url}/items/1`)).rejects.toMatchObject({
      extensions: { code: 'UPSTREAM_BAD_RESPONSE', source: 'items' },
    });
  });

  it('stops reading past maxResponseBytes with UPSTREAM_RESPONSE_TOO_LARGE; the endpoint stays healthy', async () => {
    client = createHttpClient({ source: 'items', endpoints: backend.url, maxResponseBytes: 64 * 1024, upstream });
    backend.fault = { kind: 'huge', bytes: 20 * 1024 * 1024 };
    for (let index = 0; index < 3; index++) {
      await expect(client.fetch(`${backend.url}/items/1`).then((response) => response.text())).rejects.toMatchObject({
        extensions: {
          code: 'UPSTREAM_RESPONSE_TOO_LARGE',
          source: 'items',
          maxResponseBytes: 65536,
          http: { status: 502 },
        },
      });
    }
    backend.fault = ITEM;
    expect((await client.fetch(`${backend.url}/items/1`)).status).toBe(200);
    expect(client.health()[0]).toMatchObject({ circuit: 'closed', ejected: false, outstanding: 0 });
  });

  it('refuses a declared content-length over the limit before reading it', async () => {
    client = createHttpClient({ source: 'items', endpoints: backend.url, maxResponseBytes: 10, upstream });
    await expect(client.fetch(`${backend.url}/items/1`)).rejects.toMatchObject({
      extensions: { code: 'UPSTREAM_RESPONSE_TOO_LARGE' },
    });
  });

  it('answers UPSTREAM_BAD_RESPONSE when the connection breaks in the middle of the body', async () => {
    client = createHttpClient({ source: 'items', endpoints: backend.url, upstream });
    backend.fault = { kind: 'reset-mid-body' };
    await expect(client.fetch(`${backend.url}/items/1`).then((response) => response.text())).rejects.toMatchObject({
      extensions: { code: 'UPSTREAM_BAD_RESPONSE', source: 'items' },
    });
  });
});

describe('maxResponseBytes in the config', () => {
  const config = (maxResponseBytes: unknown) =>
    ({
      sources: [
        { name: 'items', kind: 'openapi', spec: './test/fixtures/upstream/items.openapi.yaml', maxResponseBytes },
      ],
      bffs: { web: './test/fixtures/bff/open.ts' },
      port: 0,
    }) as unknown as LoomConfig;

  it.each([0, -1, 1.5, '10MB', Number.POSITIVE_INFINITY])('refuses %p', (value) => {
    expect(() => validateConfig(config(value), 'loom.config.ts', REPO_ROOT)).toThrow(
      'loom.config.ts: source "items": maxResponseBytes must be a positive integer (bytes)',
    );
  });

  it('accepts a positive integer', () => {
    expect(validateConfig(config(1024), 'loom.config.ts', REPO_ROOT).sources[0]).toMatchObject({
      maxResponseBytes: 1024,
    });
  });
});

describe('body faults through the gateway (production errors)', () => {
  let backend: FaultServer;
  let gateway: TestGateway;
  beforeAll(async () => {
    backend = await startFaultServer(ITEM);
    gateway = await startTestGateway({
      sources: [
        {
          name: 'items',
          kind: 'openapi',
          spec: './test/fixtures/upstream/items.openapi.yaml',
          endpoint: backend.url,
          timeoutMs: 400,
          maxResponseBytes: 100_000,
          upstream: { retry: false },
        },
      ],
      bffs: { web: './test/fixtures/bff/open.ts' },
      production: true,
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await backend?.close();
  });
  beforeEach(() => {
    backend.fault = ITEM;
  });
  const getItem = () => gateway.query('web', { query: '{ getItem(id: "1") { id name } }' });

  it.each<[string, Fault, string]>([
    ['a drip-fed body', { kind: 'drip', intervalMs: 50 }, 'UPSTREAM_TIMEOUT'],
    ['a body over maxResponseBytes', { kind: 'huge', bytes: 5 * 1024 * 1024 }, 'UPSTREAM_RESPONSE_TOO_LARGE'],
    ['a reset mid-body', { kind: 'reset-mid-body' }, 'UPSTREAM_BAD_RESPONSE'],
  ])('answers %s with a typed error, then serves the next call', async (_label, fault, code) => {
    backend.fault = fault;
    const { body } = await getItem();
    expect(body.data).toEqual({ getItem: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0].extensions).toMatchObject({ code, source: 'items' });
    backend.fault = ITEM;
    expect((await getItem()).body).toEqual({ data: { getItem: { id: '1', name: 'Item 1' } } });
    const health = await (await gateway.fetch(`/healthz`)).json();
    expect(health).toEqual({ status: 'ok' });
  });
});
