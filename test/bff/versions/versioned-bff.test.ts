import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RunningBackend } from '../../../demo/http-backend';
import { createLogger } from '../../../src/core/logger';
import { startCrmBackend } from '../../fixtures/versions/crm-backend';
import { V1_DEPRECATED_SINCE, V1_SUNSET } from '../../fixtures/versions/create-shop-bff';
import { REPO_ROOT, startTestGateway, type TestGateway } from '../../helpers/test-gateway';
import { captureLogs, type LogCapture } from '../../observability/log-capture';

const MANIFEST = JSON.parse(
  readFileSync(resolve(REPO_ROOT, 'test/fixtures/versions/shop.v1.persisted.json'), 'utf8'),
) as Record<string, string>;
/** The committed v1 operations, as the app's first release sends them. */
const CUSTOMER_CARD = Object.values(MANIFEST).find((body) => body.startsWith('query CustomerCard'))!;
const FIRST_CUSTOMERS = Object.values(MANIFEST).find((body) => body.startsWith('query FirstCustomers'))!;

const BEFORE_DEPRECATION = Date.parse('2026-03-01T00:00:00Z');
const DEPRECATED = Date.parse('2026-07-01T00:00:00Z');
const SUNSET = Date.parse(V1_SUNSET);

const V1_HEADERS = {
  deprecation: `@${Date.parse(V1_DEPRECATED_SINCE) / 1000}`,
  sunset: 'Fri, 01 Jan 2027 00:00:00 GMT',
  link: '</shop/v2/graphql>; rel="successor-version", <https://shop.example/changelog/v2>; rel="deprecation"; type="text/html"',
};

describe('versioned BFF: v1 and v2 side by side on a graph that renamed a field', () => {
  let backend: RunningBackend;
  let gateway: TestGateway;
  let logs: LogCapture;
  let nowMs = DEPRECATED;

  beforeAll(async () => {
    backend = await startCrmBackend();
    logs = captureLogs();
    gateway = await startTestGateway(
      {
        sources: [
          { name: 'crm', kind: 'openapi', spec: './test/fixtures/versions/crm-openapi.yaml', endpoint: backend.url },
        ],
        bffs: { shop: './test/fixtures/versions/shop.ts', 'shop-warn': './test/fixtures/versions/shop-warn.ts' },
      },
      REPO_ROOT,
      { now: () => nowMs, logger: createLogger({ level: 'info', destination: logs.stream }) },
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await backend?.close();
  });
  beforeEach(() => {
    nowMs = DEPRECATED;
    backend.calls.reset();
  });

  it('answers the committed v1 operation with the old names, from one upstream call', async () => {
    const { status, body } = await gateway.query('shop/v1', { query: CUSTOMER_CARD, variables: { id: '1' } });
    expect(status).toBe(200);
    expect(body).toEqual({
      data: { getCustomer: { id: '1', name: 'Ada Lovelace', label: 'Ada Lovelace (gold)', tier: 'gold' } },
    });
    expect(backend.calls.snapshot()).toEqual({ getCustomer: 1 });
  });

  it('keeps v1 default list size (2) while v2 has the graph default (10); an explicit limit wins', async () => {
    const v1 = await gateway.query('shop/v1', { query: FIRST_CUSTOMERS });
    expect(v1.body).toEqual({
      data: {
        listCustomers: [
          { id: '1', name: 'Ada Lovelace' },
          { id: '2', name: 'Alan Turing' },
        ],
      },
    });
    expect(backend.requestLines.at(-1)).toBe('GET /customers?limit=2');
    const explicit = await gateway.query('shop/v1', { query: '{ listCustomers(limit: 3) { id } }' });
    expect(explicit.body.data?.listCustomers).toHaveLength(3);
    expect(backend.requestLines.at(-1)).toBe('GET /customers?limit=3');
    const v2 = await gateway.query('shop/v2', { query: '{ listCustomers { id fullName } }' });
    expect(v2.body.data?.listCustomers).toHaveLength(4);
    expect(backend.calls.snapshot()).toEqual({ listCustomers: 3 });
  });

  it('serves the current version (v2) at /shop/graphql and /shop/v2/graphql, with the new names only', async () => {
    for (const path of ['shop', 'shop/v2']) {
      const current = await gateway.query(path, { query: '{ getCustomer(id: "2") { fullName email } }' });
      expect(current).toMatchObject({
        status: 200,
        body: { data: { getCustomer: { fullName: 'Alan Turing', email: 'alan@example.com' } } },
      });
      expect(current.headers.get('deprecation')).toBeNull();
      const old = await gateway.query(path, { query: CUSTOMER_CARD, variables: { id: '1' } });
      expect(old.status).toBe(400);
      expect(old.body.errors?.[0]).toMatchObject({
        message: 'Cannot query field "name" on type "Customer".',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      });
    }
    expect(backend.calls.snapshot()).toEqual({ getCustomer: 2 });
  });

  it('gives each version its view and policies: v1 inherits the BFF view (no email), v2 has its own alias limit', async () => {
    const v1Email = await gateway.query('shop/v1', { query: '{ getCustomer(id: "1") { email } }' });
    expect(v1Email.status).toBe(400);
    expect(v1Email.body.errors?.[0].message).toBe('Cannot query field "email" on type "Customer".');
    const aliases = '{ a: getCustomer(id: "1") { id } b: getCustomer(id: "2") { id } }';
    expect((await gateway.query('shop/v1', { query: aliases })).status).toBe(200);
    const v2 = await gateway.query('shop/v2', { query: aliases });
    expect(v2.status).toBe(400);
    expect(v2.body.errors?.[0].extensions?.code).toBe('ALIAS_LIMIT_EXCEEDED');
    expect(backend.calls.snapshot()).toEqual({ getCustomer: 2 });
  });

  it('announces deprecation, sunset and successor on every v1 answer, errors included (exact headers)', async () => {
    const ok = await gateway.query('shop/v1', { query: '{ getCustomer(id: "1") { name } }' });
    const refused = await gateway.query('shop/v1', { query: '{ nope }' });
    for (const { headers } of [ok, refused]) {
      expect(headers.get('deprecation')).toBe(V1_HEADERS.deprecation);
      expect(headers.get('sunset')).toBe(V1_HEADERS.sunset);
      expect(headers.get('link')).toBe(V1_HEADERS.link);
    }
    expect(refused.status).toBe(400);
    // Before the deprecation date the header already announces it (RFC 9745: a date in the future).
    nowMs = BEFORE_DEPRECATION;
    expect((await gateway.query('shop/v1', { query: '{ __typename }' })).headers.get('deprecation')).toBe(
      V1_HEADERS.deprecation,
    );
  });

  it('answers 410 VERSION_SUNSET from the sunset on, before any upstream call; the instant before still serves', async () => {
    nowMs = SUNSET - 1;
    expect((await gateway.query('shop/v1', { query: CUSTOMER_CARD, variables: { id: '3' } })).status).toBe(200);
    nowMs = SUNSET;
    const gone = await gateway.query('shop/v1', { query: CUSTOMER_CARD, variables: { id: '3' } });
    expect(gone.status).toBe(410);
    expect(gone.body).toEqual({
      errors: [
        {
          message: 'Version v1 of the shop API was retired on 2027-01-01T00:00:00.000Z; use /shop/v2/graphql',
          extensions: {
            code: 'VERSION_SUNSET',
            version: 'v1',
            sunset: '2027-01-01T00:00:00.000Z',
            successor: '/shop/v2/graphql',
          },
        },
      ],
    });
    expect(gone.headers.get('sunset')).toBe(V1_HEADERS.sunset);
    expect(gone.headers.get('link')).toBe(V1_HEADERS.link);
    expect(backend.calls.count()).toBe(1);
    // v2 is untouched by v1's sunset.
    expect((await gateway.query('shop/v2', { query: '{ getCustomer(id: "3") { fullName } }' })).status).toBe(200);
  });

  it('keeps serving after the sunset when afterSunset is "warn", with the headers', async () => {
    nowMs = SUNSET + 86_400_000;
    const warned = await gateway.query('shop-warn/v1', { query: CUSTOMER_CARD, variables: { id: '4' } });
    expect(warned.status).toBe(200);
    expect(warned.body.data?.getCustomer).toEqual({
      id: '4',
      name: 'Edsger Dijkstra',
      label: 'Edsger Dijkstra (standard)',
      tier: 'standard',
    });
    expect(warned.headers.get('sunset')).toBe(V1_HEADERS.sunset);
    expect(warned.headers.get('link')).toBe(
      '</shop-warn/v2/graphql>; rel="successor-version", <https://shop.example/changelog/v2>; rel="deprecation"; type="text/html"',
    );
  });

  it('shows on the portal who still calls a deprecated version, names escaped', async () => {
    await gateway.query(
      'shop/v1',
      { query: '{ __typename }' },
      { 'apollographql-client-name': 'ios-app', 'apollographql-client-version': '2.0.1' },
    );
    await gateway.query('shop/v1', { query: '{ __typename }' }, { 'apollographql-client-name': '<script>x</script>' });
    await gateway.query('shop', { query: '{ __typename }' }, { 'apollographql-client-name': 'current-only' });
    const page = await (await gateway.fetch('/')).text();
    const table = page.slice(page.indexOf('id="deprecated-callers"'));
    expect(table).toContain(
      '<td>shop</td><td>v1</td><td>deprecated</td><td><code>ios-app</code></td><td>2.0.1</td><td>1</td>',
    );
    expect(table).toContain('<td>shop</td><td>v1</td><td>deprecated</td><td><code>invalid</code></td>');
    expect(page).not.toContain('<script>x');
    expect(table).not.toContain('current-only');
  });

  it('counts traffic per version, state and client, and logs the version and client of each request', async () => {
    const client = { 'apollographql-client-name': 'metrics-probe', 'apollographql-client-version': '3.1.4' };
    await gateway.query('shop/v1', { query: '{ __typename }' }, client);
    await gateway.query('shop/v1', { query: '{ __typename }' }, client);
    nowMs = SUNSET;
    await gateway.query('shop/v1', { query: '{ __typename }' }, client);
    await gateway.query('shop', { query: '{ __typename }' }, client);
    const metrics = await (await gateway.fetch('/metrics')).text();
    const line = (version: string, state: string) =>
      `loom_version_requests_total{bff="shop",version="${version}",state="${state}",client="metrics-probe",client_version="3.1.4"}`;
    expect(metrics).toContain(`${line('v1', 'deprecated')} 2`);
    expect(metrics).toContain(`${line('v1', 'sunset')} 1`);
    expect(metrics).toContain(`${line('v2', 'current')} 1`);
    await gateway.query(
      'shop/v1',
      { query: 'query Probe { __typename }' },
      { 'apollographql-client-name': 'log-probe' },
    );
    let entry = await logs.next('request');
    while (entry.client?.name !== 'log-probe') entry = await logs.next('request');
    expect(entry).toMatchObject({
      bff: 'shop',
      version: 'v1',
      client: { name: 'log-probe', version: 'unknown' },
      status: 410,
      errorCodes: ['VERSION_SUNSET'],
    });
  });

  it('never echoes a client header that is oversized or not a plain name', async () => {
    await gateway.query(
      'shop/v2',
      { query: '{ __typename }' },
      { 'apollographql-client-name': 'x'.repeat(5000), 'apollographql-client-version': '1.0"}\\' },
    );
    const metrics = await (await gateway.fetch('/metrics')).text();
    expect(metrics).toContain('client="invalid",client_version="invalid"');
    expect(metrics).not.toContain('x'.repeat(65));
  });
});
