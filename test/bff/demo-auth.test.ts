import { SignJWT, generateKeyPair } from 'jose';
import { DEMO_AUDIENCE, DEMO_ISSUER } from '../../demo/demo-auth';
import { startDemoBackends, type DemoBackends } from '../../demo/start-demo-backends';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';
import { DEMO_BFFS, IOT_KEY } from './catalog-gateway';

const CREATE_PRODUCT = {
  query: 'mutation { createProduct(input: { name: "Lamp", price: 12.5, currency: EUR }) { id name } }',
};
const PAY_INVOICE = {
  query:
    'mutation { payInvoice(invoiceId: "inv-4", amount: "40.04", paidAt: "2026-03-01T10:00:00.000Z") { receiptId status } }',
};
const PRODUCT_PRICE = '9be1640988109a93992bd0d2d5796aaf87693bda5ae4ead5c03a18535fafc20c';

/** The demo as `npm start` runs it (three backends, the token issuer, the three BFF files), on 127.0.0.1:0. */
describe('demo authentication: anonymous reads, token writes, keyed devices', () => {
  let backends: DemoBackends;
  let gateway: TestGateway;
  const previousJwksUrl = process.env.LOOM_DEMO_JWKS_URL;

  const token = async (request: Record<string, unknown> = {}) => {
    const response = await fetch(`${backends.issuer.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    return { authorization: `Bearer ${body.access_token}` };
  };
  const upstreamCalls = () => backends.catalog.calls.count() + backends.billing.calls.count();

  beforeAll(async () => {
    backends = await startDemoBackends({});
    process.env.LOOM_DEMO_JWKS_URL = backends.issuer.jwksUrl;
    gateway = await startTestGateway(
      {
        sources: [
          {
            name: 'catalog',
            kind: 'openapi',
            spec: './sources/catalog/openapi.yaml',
            endpoint: backends.catalog.url,
            headers: { 'x-api-key': 'demo-catalog-key' },
          },
          { name: 'orders', kind: 'grpc', proto: './sources/orders/orders.proto', endpoint: backends.orders.url },
          { name: 'billing', kind: 'soap', wsdl: './sources/billing/billing.wsdl', endpoint: backends.billing.url },
        ],
        bffs: DEMO_BFFS,
      },
      undefined,
      { socket: true },
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await backends?.close();
    if (previousJwksUrl === undefined) delete process.env.LOOM_DEMO_JWKS_URL;
    else process.env.LOOM_DEMO_JWKS_URL = previousJwksUrl;
  });
  beforeEach(() => {
    backends.catalog.calls.reset();
    backends.billing.calls.reset();
  });

  it.each(['web', 'mobile'])('%s still answers queries anonymously', async (bff) => {
    const { status, body } = await gateway.query(bff, { query: '{ getProduct(id: "p1") { id } }' });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { getProduct: { id: 'p1' } } });
  });

  it.each([
    ['web', CREATE_PRODUCT],
    ['mobile', PAY_INVOICE],
  ])('%s refuses an anonymous mutation with 401 UNAUTHENTICATED and no upstream call', async (bff, mutation) => {
    const { status, headers, body } = await gateway.query(bff, mutation);
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toBe('Bearer');
    expect(body).toEqual({
      errors: [{ message: 'Authentication required for a mutation', extensions: { code: 'UNAUTHENTICATED' } }],
    });
    expect(upstreamCalls()).toBe(0);
  });

  it('refuses a demo token without shop:write with 403 FORBIDDEN', async () => {
    const { status, body } = await gateway.query(
      'web',
      CREATE_PRODUCT,
      await token({ sub: 'reader', scope: 'shop:read' }),
    );
    expect(status).toBe(403);
    expect(body).toEqual({
      errors: [{ message: 'A mutation requires scope(s): shop:write', extensions: { code: 'FORBIDDEN' } }],
    });
    expect(upstreamCalls()).toBe(0);
  });

  it('runs mutations for a token from the demo issuer, on web and mobile', async () => {
    const created = await gateway.query('web', CREATE_PRODUCT, await token({ sub: 'ada', plan: 'pro' }));
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ data: { createProduct: { id: expect.stringMatching(/^p\d+$/), name: 'Lamp' } } });
    // ada's user bucket is the pro plan's 100,000, so the address's ip rule (50,000) is the tightest and speaks.
    expect(created.headers.get('ratelimit-limit')).toBe('50000');
    const paid = await gateway.query('mobile', PAY_INVOICE, await token());
    expect(paid.status).toBe(200);
    expect(paid.body).toEqual({ data: { payInvoice: { receiptId: 'rcpt-inv-4', status: 'PAID' } } });
  });

  it('refuses a token the demo issuer did not sign with 401', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ scope: 'shop:write' })
      .setProtectedHeader({ alg: 'ES256', kid: 'forged' })
      .setIssuer(DEMO_ISSUER)
      .setAudience(DEMO_AUDIENCE)
      .setSubject('mallory')
      .setExpirationTime('5m')
      .sign(privateKey);
    const { status, body } = await gateway.query('web', CREATE_PRODUCT, { authorization: `Bearer ${forged}` });
    expect(status).toBe(401);
    expect(body).toEqual({
      errors: [{ message: 'Invalid token: no matching key', extensions: { code: 'UNAUTHENTICATED' } }],
    });
    expect(upstreamCalls()).toBe(0);
  });

  it('meters an anonymous caller by its address under the per-user rule', async () => {
    const { status, headers } = await gateway.query('web', { query: '{ getProduct(id: "p1") { id } }' });
    expect(status).toBe(200);
    // The user rule (20,000) applies to 127.0.0.1 too: tighter than the ip rule (50,000), so it speaks.
    expect(headers.get('ratelimit-limit')).toBe('20000');
  });

  it('iot: 401 without its API key or with a wrong one, served with it', async () => {
    const request = {
      extensions: { persistedQuery: { version: 1, sha256Hash: PRODUCT_PRICE } },
      variables: { id: 'p1' },
    };
    const anonymous = await gateway.query('iot', request);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({
      errors: [{ message: 'Authentication required', extensions: { code: 'UNAUTHENTICATED' } }],
    });
    const wrong = await gateway.query('iot', request, { 'x-api-key': 'not-the-demo-key-at-all' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ errors: [{ message: 'Invalid API key', extensions: { code: 'UNAUTHENTICATED' } }] });
    expect(upstreamCalls()).toBe(0);
    const keyed = await gateway.query('iot', request, IOT_KEY);
    expect(keyed.status).toBe(200);
    expect(keyed.body).toEqual({ data: { getProduct: { id: 'p1', price: 9.99, currency: 'USD' } } });
  });

  it('the issuer publishes only the public key and refuses a malformed token request', async () => {
    const jwks = (await (await fetch(backends.issuer.jwksUrl)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) });
    expect(jwks.keys[0].d).toBeUndefined();
    const bad = await fetch(`${backends.issuer.url}/token`, { method: 'POST', body: '{"sub": 42}' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: 'invalid_request',
      error_description: 'sub must be 1-64 letters, digits or _ . : @ -',
    });
  });
});
