import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../../src/core/errors';
import { startTestGateway, REPO_ROOT } from '../helpers/test-gateway';
import { IOT_KEY, startCatalogGateway, type CatalogGateway } from './catalog-gateway';

const manifest = JSON.parse(readFileSync(resolve(REPO_ROOT, 'bff/iot.persisted.json'), 'utf8')) as Record<
  string,
  string
>;
const idOf = (operationName: string) =>
  Object.keys(manifest).find((id) => manifest[id].startsWith(`query ${operationName}`))!;
const PRODUCT_PRICE = idOf('ProductPrice');
const PRODUCT_PRICES = idOf('ProductPrices');
const UNKNOWN = 'f'.repeat(64);
const apollo = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });

describe('persisted operations: iot (persisted-only) and an allowlist-optional BFF', () => {
  let demo: CatalogGateway;

  beforeAll(async () => {
    demo = await startCatalogGateway({ iot: './bff/iot.ts', open: './test/fixtures/bff/allowlist.ts' });
  });
  afterAll(async () => {
    await demo?.close();
  });
  beforeEach(() => demo.backend.calls.reset());

  const get = async (bff: string, params: Record<string, string>) => {
    const response = await demo.gateway.fetch(`/${bff}/graphql?${new URLSearchParams(params)}`, {
      headers: { accept: 'application/json', ...(bff === 'iot' && IOT_KEY) },
    });
    return { status: response.status, body: await response.json() };
  };

  it('runs a known operation sent in Apollo format, with the view hidden limit of 5', async () => {
    const { status, body } = await demo.gateway.query('iot', { extensions: apollo(PRODUCT_PRICES) }, IOT_KEY);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.listProducts).toHaveLength(5);
    expect(body.data?.listProducts[0]).toEqual({ id: 'p1', price: 9.99, currency: 'USD' });
    expect(demo.backend.calls.count('listProducts')).toBe(1);
  });

  it('runs a known operation sent as documentId, bare or sha256:-prefixed, with variables', async () => {
    for (const documentId of [PRODUCT_PRICE, `sha256:${PRODUCT_PRICE}`]) {
      const { status, body } = await demo.gateway.query(
        'iot',
        { documentId, variables: { id: 'p2' } } as never,
        IOT_KEY,
      );
      expect(status).toBe(200);
      expect(body).toEqual({ data: { getProduct: { id: 'p2', price: 19.98, currency: 'EUR' } } });
    }
    expect(demo.backend.calls.count('getProduct')).toBe(2);
  });

  it('accepts both formats on GET', async () => {
    const viaApollo = await get('iot', {
      extensions: JSON.stringify(apollo(PRODUCT_PRICE)),
      variables: JSON.stringify({ id: 'p1' }),
    });
    const viaDocumentId = await get('iot', { documentId: PRODUCT_PRICE, variables: JSON.stringify({ id: 'p1' }) });
    for (const { status, body } of [viaApollo, viaDocumentId]) {
      expect(status).toBe(200);
      expect(body).toEqual({ data: { getProduct: { id: 'p1', price: 9.99, currency: 'USD' } } });
    }
  });

  it.each([
    ['an unknown Apollo hash', { extensions: apollo(UNKNOWN) }, 'PersistedQueryNotFound'],
    ['an unknown documentId', { documentId: UNKNOWN }, 'PersistedQueryNotFound'],
    [
      'a raw query',
      { query: '{ getProduct(id: "p1") { id } }' },
      '"iot" accepts persisted operations only: send extensions.persistedQuery.sha256Hash or documentId',
    ],
    [
      'a raw query registering a known hash (APQ)',
      { query: manifest[PRODUCT_PRICES], extensions: apollo(PRODUCT_PRICES) },
      '"iot" accepts persisted operations only: send extensions.persistedQuery.sha256Hash or documentId',
    ],
    [
      'neither query nor id',
      {},
      'Send a persisted operation id (extensions.persistedQuery.sha256Hash or documentId) or a query',
    ],
  ])('iot refuses %s with PERSISTED_QUERY_NOT_FOUND / 400 and no upstream call', async (_name, request, message) => {
    const { status, body } = await demo.gateway.query('iot', request as never, IOT_KEY);
    expect(status).toBe(400);
    expect(body).toEqual({ errors: [{ message, extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
    expect(demo.backend.calls.count()).toBe(0);
  });

  it('iot refuses a GET with an unknown documentId the same way', async () => {
    const { status, body } = await get('iot', { documentId: UNKNOWN });
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('an allowlist-optional BFF runs raw queries and known ids, and refuses unknown ids', async () => {
    const raw = await demo.gateway.query('open', { query: '{ getCustomer(id: "1") { id } }' });
    expect(raw.body).toEqual({ data: { getCustomer: { id: '1' } } });
    const known = await demo.gateway.query('open', { extensions: apollo(PRODUCT_PRICE), variables: { id: 'p3' } });
    expect(known.body).toEqual({ data: { getProduct: { id: 'p3', price: 29.97, currency: 'EUR' } } });
    const unknown = await demo.gateway.query('open', { extensions: apollo(UNKNOWN) });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('persisted operations are checked against their BFF at start-up', () => {
  const start = (file: string) =>
    startTestGateway({
      sources: [
        { name: 'catalog', kind: 'openapi', spec: './sources/catalog/openapi.yaml', endpoint: 'http://127.0.0.1:9' },
      ],
      bffs: { guarded: file },
    });

  it('refuses an operation compiled against another BFF that reads a field this one hides', async () => {
    const failure = start('./test/fixtures/bff/mobile-with-web-ops.ts');
    await expect(failure).rejects.toThrow(ConfigError);
    await expect(failure).rejects.toThrow(
      /^bff "guarded": persisted operation webCustomerNote does not fit this BFF's schema: Cannot query field "note" on type "Customer"\./,
    );
  });

  it('refuses a manifest whose sha256 id is not the hash of its document', async () => {
    await expect(start('./test/fixtures/bff/stale-manifest.ts')).rejects.toThrow(
      'bff "guarded": persisted operation 8f0d9a4f639252f6c687beae81608c3306ff7ed4ca40f4c1f8048d34c2c4bdca: the id is not the sha256 of its document',
    );
  });
});
