import { startBillingBackend, type BillingBackend } from '../../demo/billing-backend';
import { startCatalogBackend, type CatalogBackend } from '../../demo/catalog-backend';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';

describe('SOAP source against the demo billing backend', () => {
  let billing: BillingBackend;
  let catalog: CatalogBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    billing = await startBillingBackend();
    catalog = await startCatalogBackend();
    gateway = await startTestGateway({
      sources: [
        { name: 'catalog', kind: 'openapi', spec: './sources/catalog/openapi.yaml', endpoint: catalog.url },
        {
          name: 'billing',
          kind: 'soap',
          wsdl: './sources/billing/billing.wsdl',
          endpoint: billing.url,
          timeoutMs: 500,
          forwardHeaders: ['x-request-source'],
          auth: {
            wsSecurity: { username: 'loom', password: 'demo-password' },
            basic: { username: 'gateway', password: 'basic-password' },
          },
        },
      ],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await Promise.all([billing?.close(), catalog?.close()]);
  });
  beforeEach(() => {
    billing.calls.reset();
    billing.faults.clear();
  });

  it('reads a document/literal response: decimal and long exact, date, dateTime, enum, boolean, attribute, list, optional', async () => {
    const { status, body } = await gateway.query('web', {
      query:
        '{ getInvoice(orderId: "o1") { invoiceId orderId amount currency issuedOn dueAt status paid sequence version lines { description quantity unitPrice } note } }',
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      data: {
        getInvoice: {
          invoiceId: 'inv-1',
          orderId: 'o1',
          amount: '10.01',
          currency: 'EUR',
          issuedOn: '2026-01-01',
          dueAt: '2026-02-01T12:00:00.000Z',
          status: 'OPEN',
          paid: false,
          sequence: '9007199254740994',
          version: 2,
          lines: [{ description: 'Items of order o1', quantity: 1, unitPrice: '9.99' }],
          note: 'note 1',
        },
      },
    });
    expect(billing.calls.snapshot()).toEqual({ GetInvoice: 1 });
  });

  it('puts read-like operations on Query and the rest on Mutation', () => {
    const schema = gateway.gateway.composed.schema;
    expect(Object.keys(schema.getQueryType()!.getFields())).toEqual(
      expect.arrayContaining(['getInvoice', 'listInvoices']),
    );
    expect(Object.keys(schema.getMutationType()!.getFields())).toEqual(expect.arrayContaining(['payInvoice']));
  });

  it('answers absent optional elements as null and a repeated element as a list (enum argument)', async () => {
    const { body } = await gateway.query('web', {
      query: '{ getInvoice(orderId: "o2") { note } listInvoices(status: OVERDUE) { invoiceId status } }',
    });
    expect(body.data?.getInvoice).toEqual({ note: null });
    expect(body.data?.listInvoices.slice(0, 2)).toEqual([
      { invoiceId: 'inv-3', status: 'OVERDUE' },
      { invoiceId: 'inv-6', status: 'OVERDUE' },
    ]);
  });

  it('sends arguments as a namespaced envelope with SOAPAction, WS-Security, basic auth and forwarded headers', async () => {
    const { body } = await gateway.query(
      'web',
      {
        query:
          'mutation { payInvoice(invoiceId: "inv-4", amount: "40.04", paidAt: "2026-03-01T10:00:00.000Z") { receiptId amount paidAt status } }',
      },
      { 'x-request-source': 'checkout' },
    );
    expect(body).toEqual({
      data: {
        payInvoice: { receiptId: 'rcpt-inv-4', amount: '40.04', paidAt: '2026-03-01T10:00:00.000Z', status: 'PAID' },
      },
    });
    const headers = billing.lastHeaders.get('PayInvoice');
    expect(headers?.soapaction).toBe('"http://loom.example/billing/PayInvoice"');
    expect(headers?.['content-type']).toBe('text/xml; charset=utf-8');
    expect(headers?.authorization).toBe(`Basic ${Buffer.from('gateway:basic-password').toString('base64')}`);
    expect(headers?.['x-request-source']).toBe('checkout');
    const envelope = billing.lastEnvelopes.get('PayInvoice')!;
    expect(envelope).toContain(
      '<ns0:PayInvoice><ns0:invoiceId>inv-4</ns0:invoiceId><ns0:amount>40.04</ns0:amount><ns0:paidAt>2026-03-01T10:00:00.000Z</ns0:paidAt></ns0:PayInvoice>',
    );
    expect(envelope).toContain('xmlns:ns0="http://loom.example/billing"');
    expect(envelope).toMatch(
      /<wsse:UsernameToken><wsse:Username>loom<\/wsse:Username><wsse:Password Type="[^"]+#PasswordText">demo-password<\/wsse:Password>/,
    );
  });

  it('turns a SOAP fault into SOAP_FAULT with faultcode, faultstring and detail as JSON, keeping other fields', async () => {
    const { body } = await gateway.query('web', {
      query: '{ getInvoice(orderId: "nope") { invoiceId } getCustomer(id: "1") { name } }',
    });
    expect(body.data).toEqual({ getInvoice: null, getCustomer: { name: 'Customer 1' } });
    expect(body.errors).toEqual([
      {
        message: 'Source "billing" answered a SOAP fault: Unknown invoice for order nope',
        path: ['getInvoice'],
        extensions: {
          code: 'SOAP_FAULT',
          source: 'billing',
          upstreamStatus: expect.any(Number),
          faultcode: 'soap:Client',
          faultstring: 'Unknown invoice for order nope',
          detail: { code: 'INVOICE_NOT_FOUND', reference: 'order nope' },
        },
      },
    ]);
  });

  it('reads a SOAP 1.1 fault sent with HTTP 500 as a fault, not a crash', async () => {
    billing.faults.set('GetInvoice', 'soap11-fault-500');
    const { body } = await gateway.query('web', { query: '{ getInvoice(orderId: "o1") { invoiceId } }' });
    expect(body.errors?.[0].extensions).toEqual({
      code: 'SOAP_FAULT',
      source: 'billing',
      upstreamStatus: 500,
      faultcode: 'soap:Server',
      faultstring: 'Ledger is locked',
      detail: { retryAfter: '30' },
    });
  });

  it('reads a SOAP 1.2 fault (Code/Subcode, Reason, Detail)', async () => {
    billing.faults.set('GetInvoice', 'soap12-fault-500');
    const { body } = await gateway.query('web', { query: '{ getInvoice(orderId: "o1") { invoiceId } }' });
    expect(body.errors?.[0].extensions).toEqual({
      code: 'SOAP_FAULT',
      source: 'billing',
      upstreamStatus: 500,
      faultcode: 'env:Receiver/billing:Locked',
      faultstring: 'Ledger is locked',
      detail: { retryAfter: '30' },
    });
  });

  it.each([
    ['malformed-xml', /^Source "billing" sent a response Loom cannot read: not well-formed XML/],
    ['not-xml', /^Source "billing" sent a response Loom cannot read: not well-formed XML/],
  ] as const)('turns a %s 200 into UPSTREAM_BAD_RESPONSE and keeps serving', async (fault, message) => {
    billing.faults.set('GetInvoice', fault);
    const { body } = await gateway.query('web', {
      query: '{ getInvoice(orderId: "o1") { invoiceId } getCustomer(id: "2") { name } }',
    });
    expect(body.data).toEqual({ getInvoice: null, getCustomer: { name: 'Customer 2' } });
    expect(body.errors?.[0].extensions).toEqual({
      code: 'UPSTREAM_BAD_RESPONSE',
      source: 'billing',
      upstreamStatus: 200,
    });
    expect(body.errors?.[0].message).toMatch(message);
    billing.faults.clear();
    const after = await gateway.query('web', { query: '{ getInvoice(orderId: "o1") { invoiceId } }' });
    expect(after.body).toEqual({ data: { getInvoice: { invoiceId: 'inv-1' } } });
  });

  it('turns an HTML 500 into UPSTREAM_HTTP_ERROR and a hang into UPSTREAM_TIMEOUT', async () => {
    billing.faults.set('GetInvoice', 'http-500-html');
    const failed = await gateway.query('web', { query: '{ getInvoice(orderId: "o1") { invoiceId } }' });
    expect(failed.body.errors?.[0].extensions).toEqual({
      code: 'UPSTREAM_HTTP_ERROR',
      source: 'billing',
      upstreamStatus: 500,
    });
    billing.faults.set('GetInvoice', 'hang');
    const slow = await gateway.query('web', { query: '{ getInvoice(orderId: "o1") { invoiceId } }' });
    expect(slow.body.errors?.[0].extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', source: 'billing' });
  });
});
