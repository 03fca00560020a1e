import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBffView } from '../../src/bff/create-bff-view';
import { discoverBffFiles } from '../../src/bff/discover-bff-files';
import { loadConfig } from '../../src/cli/load-config';
import { ConfigError } from '../../src/core/errors';
import { REPO_ROOT } from '../helpers/test-gateway';
import { DEMO_BFFS, startCatalogGateway } from './catalog-gateway';

jest.mock('../../src/bff/create-bff-view', () => {
  const actual = jest.requireActual('../../src/bff/create-bff-view');
  return { createBffView: jest.fn(actual.createBffView) };
});
const createBffViewSpy = createBffView as jest.MockedFunction<typeof createBffView>;

/** A BFF file as a partner team would drop it: a plain default export, renames included. */
const PARTNER = `export default {
  description: 'Partner shops: products only, partner names',
  view: {
    include: ['Query.{getProduct,listProducts}'],
    hiddenArguments: { 'Query.listProducts.tag': 'digital' },
    renames: { Product: 'Item', 'Query.getProduct': 'item', 'Product.price': 'amount' },
  },
  policies: [],
};
`;

describe('a BFF added by dropping a file', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'loom-bffs-'));
    createBffViewSpy.mockClear();
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('finds <name>.ts files only, sorted', () => {
    for (const name of ['web.ts', 'partner.ts', 'iot.persisted.json', 'Draft.ts', 'types.d.ts', 'notes.md'])
      writeFileSync(join(directory, name), PARTNER);
    expect(discoverBffFiles(directory)).toEqual({
      partner: join(directory, 'partner.ts'),
      web: join(directory, 'web.ts'),
    });
    expect(() => discoverBffFiles(join(directory, 'missing'))).toThrow(ConfigError);
  });

  it('the project config discovers bff/*.ts', () => {
    expect(Object.keys(loadConfig('mesh.config.ts', REPO_ROOT).bffs)).toEqual(['iot', 'mobile', 'web']);
  });

  it('serves /partner/graphql next to the demo BFFs, each schema built once at start-up', async () => {
    writeFileSync(join(directory, 'partner.ts'), PARTNER);
    const demo = await startCatalogGateway({ ...DEMO_BFFS, ...discoverBffFiles(directory) });
    try {
      expect(createBffViewSpy).toHaveBeenCalledTimes(4);
      const { status, body } = await demo.gateway.query('partner', {
        query: '{ item(id: "p2") { __typename id amount } listProducts(limit: 1) { name } }',
      });
      expect(status).toBe(200);
      // The hidden tag argument is fixed to "digital": p1 is physical, p2 digital.
      expect(body).toEqual({
        data: { item: { __typename: 'Item', id: 'p2', amount: 19.98 }, listProducts: [{ name: 'Product 2' }] },
      });
      expect(demo.backend.calls.snapshot()).toEqual({ getProduct: 1, listProducts: 1 });
      for (const query of [
        '{ getCustomer(id: "1") { id } }',
        '{ listProducts(tag: "physical") { name } }',
        '{ getProduct(id: "p1") { id } }',
      ]) {
        const refused = await demo.gateway.query('partner', { query });
        expect(refused.status).toBe(400);
        expect(refused.body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      }
      expect(demo.backend.calls.count()).toBe(2);
      for (const bff of ['web', 'mobile', 'partner']) await demo.gateway.query(bff, { query: '{ __typename }' });
      expect(createBffViewSpy).toHaveBeenCalledTimes(4);
      for (const app of demo.gateway.gateway.bffs.values()) expect(app.yoga.getEnveloped({}).schema).toBe(app.schema);
      const unknown = await demo.gateway.query('kiosk', { query: '{ __typename }' });
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({
        error: 'not found',
        bffs: ['/web/graphql', '/mobile/graphql', '/iot/graphql', '/partner/graphql'],
      });
    } finally {
      await demo.close();
    }
  });
});
