import { startBillingBackend, type BillingBackend } from '../../demo/billing-backend';
import { createHttpClient } from '../../src/upstream/create-http-client';
import { startCatalogUnderTest } from '../helpers/catalog-under-test';
import { startFaultServer, type Fault } from '../helpers/fault-server';
import { startTcpFaultProxy, type TcpFaultProxy } from '../helpers/tcp-fault-proxy';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';

// Retries and ejection off: each call is one attempt, and the breaker alone decides.
const upstream = {
  retry: false as const,
  outlierDetection: false as const,
  circuitBreaker: { minimumCalls: 10, failureRateThreshold: 0.5, coolDownMs: 60_000 },
};

async function upstreamHealth(gateway: TestGateway, source: string) {
  const report = (await (await gateway.fetch(`/readyz`)).json()) as {
    upstreams: Array<{ source: string; endpoints: Array<{ circuit: string; ejected: boolean }> }>;
  };
  return report.upstreams.find((entry) => entry.source === source)?.endpoints;
}

/** Answers (faults, 4xx, error bodies) and caller errors never count against an endpoint; outages do (#18, #25 item 3). */
describe('SOAP faults are answers, not endpoint failures', () => {
  let billing: BillingBackend;
  let proxy: TcpFaultProxy;
  let gateway: TestGateway;
  beforeAll(async () => {
    billing = await startBillingBackend();
    proxy = await startTcpFaultProxy(billing.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await billing?.close();
  });
  // A gateway per test: each starts with an empty breaker window.
  beforeEach(async () => {
    proxy.mode = 'forward';
    billing.faults.clear();
    gateway = await startTestGateway({
      sources: [
        {
          name: 'billing',
          kind: 'soap',
          wsdl: './sources/billing/billing.wsdl',
          endpoint: `http://${proxy.address}/billing`,
          upstream,
        },
      ],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
  });
  afterEach(async () => {
    await gateway?.close();
  });

  it('100 SOAP 1.1 faults on HTTP 500 in a row leave the breaker closed and the source serving', async () => {
    billing.faults.set('GetInvoice', 'soap11-fault-500');
    for (let index = 0; index < 100; index++) {
      const { body } = await gateway.query('web', { query: `{ getInvoice(orderId: "o${index}") { invoiceId } }` });
      expect(body.errors?.[0].extensions).toMatchObject({ code: 'SOAP_FAULT', upstreamStatus: 500 });
    }
    billing.faults.clear();
    expect(billing.calls.count('GetInvoice')).toBe(100);
    billing.calls.reset();
    expect(await upstreamHealth(gateway, 'billing')).toEqual([
      expect.objectContaining({ circuit: 'closed', ejected: false }),
    ]);
    const { body } = await gateway.query('web', { query: '{ getInvoice(orderId: "o1") { invoiceId } }' });
    expect(body).toEqual({ data: { getInvoice: { invoiceId: 'inv-1' } } });
  });

  it('answers "unknown invoice" faults on HTTP 200 as SOAP_FAULT too, breaker closed', async () => {
    for (let index = 0; index < 20; index++) {
      const { body } = await gateway.query('web', {
        query: `{ getInvoice(orderId: "missing-${index}") { invoiceId } }`,
      });
      expect(body.errors?.[0].extensions).toMatchObject({ code: 'SOAP_FAULT' });
    }
    expect(await upstreamHealth(gateway, 'billing')).toEqual([expect.objectContaining({ circuit: 'closed' })]);
  });

  it('a real outage still opens the breaker, which then fails fast without calling', async () => {
    // Faults first: they must not dilute the outage either (answers are successes for the window).
    expect((await gateway.query('web', { query: '{ getInvoice(orderId: "o1") { invoiceId } }' })).body.data).toEqual({
      getInvoice: { invoiceId: 'inv-1' },
    });
    proxy.mode = 'reset';
    proxy.resetOpenConnections();
    for (let index = 0; index < 10; index++) {
      const { body } = await gateway.query('web', { query: '{ getInvoice(orderId: "o1") { invoiceId } }' });
      expect(body.errors?.[0].extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    }
    expect(await upstreamHealth(gateway, 'billing')).toEqual([expect.objectContaining({ circuit: 'open' })]);
    proxy.mode = 'forward';
    const before = billing.calls.count('GetInvoice');
    const { body } = await gateway.query('web', { query: '{ getInvoice(orderId: "o1") { invoiceId } }' });
    expect(body.errors?.[0]).toMatchObject({
      message: 'Source "billing" is unavailable: circuit breaker open',
      extensions: { code: 'UPSTREAM_UNAVAILABLE' },
    });
    expect(billing.calls.count('GetInvoice')).toBe(before);
  });
});

describe('forwarded header values are checked before the call', () => {
  it('12 requests with CR/LF in a forwarded header are BAD_USER_INPUT with no upstream call; the breaker stays closed', async () => {
    const catalog = await startCatalogUnderTest({ forwardHeaders: ['x-request-source'], upstream });
    try {
      // Node's HTTP server refuses such headers; the in-process fetch (and identity headers set by plugins) do not.
      const yoga = catalog.gateway.gateway.bffs.get('web')!.yoga;
      const post = async (headers: Record<string, string>) => {
        const response = await yoga.fetch('http://localhost/web/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ query: '{ getCustomer(id: "1") { id } }' }),
        });
        return (await response.json()) as {
          data?: unknown;
          errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
        };
      };
      for (const value of [
        'a\r\nx-injected: 1',
        'a\nb',
        'a\rb',
        'a\u0001b',
        'a\u007fb',
        'a\u0000b',
        'ok\r\n',
        'a\r\n\r\nGET / HTTP/1.1',
        'x\u001bb',
        'a\tb\r\nc',
        'a\u000bb',
        'a\u0008b',
      ]) {
        const body = await post({ 'x-request-source': value });
        expect(body.data).toEqual({ getCustomer: null });
        expect(body.errors?.[0]).toMatchObject({
          message: 'Header "x-request-source" cannot be forwarded: its value contains a control character',
          extensions: { code: 'BAD_USER_INPUT' },
        });
      }
      expect(catalog.backend.calls.count()).toBe(0);
      expect(await upstreamHealth(catalog.gateway, 'catalog')).toEqual([
        expect.objectContaining({ circuit: 'closed' }),
      ]);
      for (let index = 0; index < 20; index++)
        expect(await post({ 'x-request-source': 'web\tapp' })).toEqual({ data: { getCustomer: { id: '1' } } });
      expect(catalog.backend.lastHeaders.get('getCustomer')?.['x-request-source']).toBe('web\tapp');
    } finally {
      await catalog.close();
    }
  });
});

describe('header parameters of REST operations are checked before the call', () => {
  it('a CR/LF in a header argument is BAD_USER_INPUT with no upstream call; the breaker stays closed', async () => {
    const catalog = await startCatalogUnderTest({ upstream });
    try {
      for (let index = 0; index < 12; index++) {
        const { body } = await catalog.gateway.query('web', {
          query: '{ getCustomer(id: "1", X_Request_Source: "a\\r\\nx-admin: 1") { id } }',
        });
        expect(body.errors?.[0]).toMatchObject({
          message: 'Header "x-request-source" cannot be sent: its value contains a control character',
          extensions: { code: 'BAD_USER_INPUT' },
        });
      }
      expect(catalog.backend.calls.count()).toBe(0);
      expect(await upstreamHealth(catalog.gateway, 'catalog')).toEqual([
        expect.objectContaining({ circuit: 'closed' }),
      ]);
      expect(
        (await catalog.gateway.query('web', { query: '{ getCustomer(id: "1", X_Request_Source: "web") { id } }' }))
          .body,
      ).toEqual({ data: { getCustomer: { id: '1' } } });
    } finally {
      await catalog.close();
    }
  });
});

describe('HTTP client: local request-building errors', () => {
  it('a header undici refuses fails with UPSTREAM_REQUEST_INVALID, sends nothing and counts nothing', async () => {
    const backend = await startFaultServer({ kind: 'json' });
    const client = createHttpClient({
      source: 'items',
      endpoints: backend.url,
      upstream: { ...upstream, outlierDetection: { consecutiveFailures: 2 } },
    });
    try {
      for (let index = 0; index < 12; index++) {
        await expect(client.fetch(`${backend.url}/items/1`, { headers: { 'x-note': 'a\r\nb' } })).rejects.toMatchObject(
          {
            extensions: { code: 'UPSTREAM_REQUEST_INVALID', source: 'items' },
          },
        );
      }
      expect(backend.received).toHaveLength(0);
      expect(client.health()[0]).toMatchObject({ circuit: 'closed', ejected: false, outstanding: 0 });
      expect((await client.fetch(`${backend.url}/items/1`)).status).toBe(200);
    } finally {
      await client.close();
      await backend.close();
    }
  });
});

describe('HTTP client: which answers count against a REST endpoint', () => {
  it('REST 4xx and 500 with a JSON error body are answers; the breaker stays closed', async () => {
    const backend = await startFaultServer({
      kind: 'json',
      status: 500,
      body: { code: 'INVOICE_LOCKED', message: 'locked' },
    });
    const client = createHttpClient({ source: 'items', endpoints: backend.url, protocol: 'rest', upstream });
    try {
      for (let index = 0; index < 30; index++)
        expect((await client.fetch(`${backend.url}/items/${index}`)).status).toBe(500);
      backend.fault = { kind: 'json', status: 404, body: { message: 'not found' } };
      for (let index = 0; index < 30; index++)
        expect((await client.fetch(`${backend.url}/items/${index}`)).status).toBe(404);
      expect(client.health()[0].circuit).toBe('closed');
    } finally {
      await client.close();
      await backend.close();
    }
  });

  it.each<[string, Fault]>([
    ['a 500 crash page', { kind: 'raw', status: 500, body: '<html><body>Internal Server Error</body></html>' }],
    ['an empty 500', { kind: 'raw', status: 500, body: '' }],
    ['a 503 with a JSON body', { kind: 'json', status: 503, body: { message: 'overloaded' } }],
    ['a 502 from a proxy', { kind: 'raw', status: 502, body: 'Bad Gateway' }],
  ])('REST %s is an endpoint failure and opens the breaker', async (_label, fault) => {
    const backend = await startFaultServer(fault);
    const client = createHttpClient({ source: 'items', endpoints: backend.url, protocol: 'rest', upstream });
    try {
      for (let index = 0; index < 10; index++) await client.fetch(`${backend.url}/items/${index}`);
      expect(client.health()[0].circuit).toBe('open');
    } finally {
      await client.close();
      await backend.close();
    }
  });
});
