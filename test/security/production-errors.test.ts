import { startBillingBackend, type BillingBackend } from '../../demo/billing-backend';
import { startCatalogBackend, type CatalogBackend } from '../../demo/catalog-backend';
import { startOrdersBackend, type OrdersBackend } from '../../demo/orders-backend';
import { API_KEY, startCatalogGateway, type CatalogGateway } from '../bff/catalog-gateway';
import type { SourceOptions } from '../../src/config/types';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';
import { startDemoIssuer, type DemoIssuerUnderTest } from '../helpers/demo-token-issuer';

/** The demo web BFF with the config's `production: true`: nothing in an error helps an attacker map the system. */
describe('production error hygiene on the demo web BFF', () => {
  let demo: CatalogGateway;
  let issuer: DemoIssuerUnderTest;

  beforeAll(async () => {
    issuer = await startDemoIssuer();
    demo = await startCatalogGateway({ web: './bff/web.ts' }, { production: true });
  });
  afterAll(async () => {
    await demo?.close();
    await issuer?.close();
  });
  beforeEach(() => demo.backend.faults.clear());

  it('hides field suggestions', async () => {
    const { status, body } = await demo.gateway.query('web', { query: '{ getCustomer(id: "1") { emial } }' });
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: 'Cannot query field "emial" on type "Customer".',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
    ]);
  });

  it.each(['garbage', 'http-500', 'reset'] as const)(
    'keeps the code but no upstream address or stack on an upstream %s',
    async (fault) => {
      demo.backend.faults.set('getCustomer', fault);
      const { status, body } = await demo.gateway.query('web', { query: '{ getCustomer(id: "1") { id } }' });
      expect(status).toBe(200);
      expect(body.data).toEqual({ getCustomer: null });
      expect(body.errors?.[0].extensions?.code).toMatch(/^UPSTREAM_/);
      const text = JSON.stringify(body);
      expect(text).not.toContain(demo.backend.url);
      expect(text).not.toContain(String(demo.backend.port));
      expect(text).not.toContain(API_KEY);
      expect(text).not.toMatch(/\bat .+\(.+:\d+:\d+\)/);
      expect(text).not.toContain('stack');
    },
  );

  it.each([
    ['an enum value', { name: 'x', price: 1, currency: 'EUX' }],
    ['an input field', { nme: 'x', price: 1, currency: 'EUR' }],
  ])('hides suggestions in variable coercion errors (misspelled %s)', async (_what, input) => {
    demo.backend.calls.reset();
    // A writer's token: an anonymous mutation would stop at 401 before its variables are read.
    const { status, body } = await demo.gateway.query(
      'web',
      { query: 'mutation($input: NewProduct_Input) { createProduct(input: $input) { id } }', variables: { input } },
      await issuer.bearer(),
    );
    expect(status).toBe(400);
    expect(body.errors?.[0].message).toMatch(/^Variable "\$input" got invalid value/);
    expect(JSON.stringify(body)).not.toMatch(/did you mean|"EUR"|"name"/i);
    expect(demo.backend.calls.count()).toBe(0);
  });

  it('sets the security headers on answers and on refusals', async () => {
    for (const query of ['{ listCustomers { id } }', '{ nope }']) {
      const { headers } = await demo.gateway.query('web', { query });
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });
});

/** The demo web BFF in production over the gRPC and SOAP demo backends: no internal address, no raw fault string. */
describe('production error hygiene across protocols', () => {
  let catalog: CatalogBackend;
  let orders: OrdersBackend;
  let billing: BillingBackend;
  let gateway: TestGateway;

  const sources = (ordersEndpoint: string): SourceOptions[] => [
    { name: 'catalog', kind: 'openapi', spec: './sources/catalog/openapi.yaml', endpoint: catalog.url },
    {
      name: 'orders',
      kind: 'grpc',
      proto: './sources/orders/orders.proto',
      endpoint: ordersEndpoint,
      timeoutMs: 300,
      upstream: { retry: false },
    },
    {
      name: 'billing',
      kind: 'soap',
      wsdl: './sources/billing/billing.wsdl',
      endpoint: billing.url,
      auth: {
        wsSecurity: { username: 'loom', password: 'demo-password' },
        basic: { username: 'gateway', password: 'basic-password' },
      },
    },
  ];

  beforeAll(async () => {
    [catalog, orders, billing] = await Promise.all([
      startCatalogBackend(),
      startOrdersBackend(),
      startBillingBackend(),
    ]);
    gateway = await startTestGateway({ sources: sources(orders.url), bffs: { web: './bff/web.ts' }, production: true });
  });
  afterAll(async () => {
    await gateway?.close();
    await Promise.all([catalog?.close(), orders?.close(), billing?.close()]);
  });
  afterEach(() => {
    orders.faults.clear();
    billing.faults.clear();
  });

  function expectNoAddress(text: string, ports: number[]) {
    expect(text).not.toMatch(/127\.0\.0\.1|localhost|::1/);
    for (const port of ports) expect(text).not.toContain(String(port));
  }

  it('masks the upstream address in a gRPC deadline (remote_addr=...)', async () => {
    orders.faults.set('GetOrder', 'hang');
    const { body } = await gateway.query('web', { query: '{ getOrder(id: "o1") { id } }' });
    expect(body.data).toEqual({ getOrder: null });
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'GRPC_DEADLINE_EXCEEDED', source: 'orders' });
    expectNoAddress(JSON.stringify(body), [orders.port]);
  });

  it('masks the upstream address of a refused connection (ECONNREFUSED host:port)', async () => {
    const dead = await startOrdersBackend();
    await dead.close();
    const refusing = await startTestGateway({
      sources: sources(dead.url),
      bffs: { web: './bff/web.ts' },
      production: true,
    });
    try {
      const { body } = await refusing.query('web', { query: '{ getOrder(id: "o1") { id } }' });
      expect(body.data).toEqual({ getOrder: null });
      expect(body.errors?.[0].extensions).toMatchObject({ code: 'GRPC_UNAVAILABLE', source: 'orders' });
      expectNoAddress(JSON.stringify(body), [dead.port]);
    } finally {
      await refusing.close();
    }
  });

  it.each([
    ['a SOAP 1.1 client fault', undefined, 'soap:Client'],
    ['a SOAP 1.1 server fault on HTTP 500', 'soap11-fault-500' as const, 'soap:Server'],
    ['a SOAP 1.2 fault', 'soap12-fault-500' as const, 'env:Receiver/billing:Locked'],
  ])(
    'keeps the code, source and status of %s but not the backend fault string or detail',
    async (_name, fault, faultcode) => {
      if (fault) billing.faults.set('GetInvoice', fault);
      const { body } = await gateway.query('web', {
        query: `{ getInvoice(orderId: "${fault ? 'o1' : 'nope'}") { invoiceId } }`,
      });
      expect(body.data).toEqual({ getInvoice: null });
      expect(body.errors).toEqual([
        {
          message: 'Source "billing" answered a SOAP fault',
          path: ['getInvoice'],
          extensions: { code: 'SOAP_FAULT', source: 'billing', upstreamStatus: expect.any(Number), faultcode },
        },
      ]);
      expect(JSON.stringify(body)).not.toMatch(/Ledger is locked|Unknown invoice|INVOICE_NOT_FOUND|retryAfter/);
    },
  );
});
