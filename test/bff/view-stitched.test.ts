import { graphql } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { stitchSchemas } from '@graphql-tools/stitch';
import { createBffView } from '../../src/bff/create-bff-view';

/**
 * A view filters the stitched schema without a wrapping layer. Merged types
 * must keep resolving through keys the view hides: stitching adds the key
 * selections from the gateway's stitching info, not from the view.
 */
describe('views over a stitched schema with a merged type', () => {
  const calls: string[] = [];
  const catalog = makeExecutableSchema({
    typeDefs:
      'type Query { product(id: ID!): Product } type Product { id: ID! name: String reviews(first: Int, lang: String): [String] }',
    resolvers: {
      Query: {
        product: (_root: unknown, { id }: { id: string }) => (
          calls.push(`catalog.product(${id})`),
          { id, name: `Product ${id}` }
        ),
      },
      Product: {
        reviews: (_product: unknown, args: { first?: number; lang?: string }) => [
          `${args.first ?? 'all'} in ${args.lang ?? 'any'}`,
        ],
      },
    },
  });
  const stock = makeExecutableSchema({
    typeDefs: 'type Query { productById(id: ID!): Product } type Product { id: ID! stock: Int warehouseNote: String }',
    resolvers: {
      Query: {
        productById: (_root: unknown, { id }: { id: string }) => (
          calls.push(`stock.productById(${id})`),
          { id, stock: 7, warehouseNote: 'n' }
        ),
      },
    },
  });
  const gateway = stitchSchemas({
    subschemas: [
      { schema: catalog },
      {
        schema: stock,
        merge: {
          Product: { selectionSet: '{ id }', fieldName: 'productById', args: ({ id }: { id: string }) => ({ id }) },
        },
      },
    ],
  });

  beforeEach(() => {
    calls.length = 0;
  });

  it('resolves a merged field through a key the view hides, with one call per source', async () => {
    const view = createBffView(gateway, { exclude: ['Product.id', '*.warehouseNote', 'Query.productById'] });
    expect(Object.keys((view.getType('Product') as unknown as { getFields(): object }).getFields())).toEqual([
      'name',
      'reviews',
      'stock',
    ]);
    const result = await graphql({ schema: view, source: '{ product(id: "4") { name stock } }' });
    expect(result).toEqual({ data: { product: { name: 'Product 4', stock: 7 } } });
    expect(calls).toEqual(['catalog.product(4)', 'stock.productById(4)']);
  });

  it('renames on top of the filtered stitched schema still merge', async () => {
    const view = createBffView(gateway, {
      exclude: ['*.warehouseNote'],
      renames: { Product: 'Article', 'Product.stock': 'inStock' },
    });
    const result = await graphql({ schema: view, source: '{ product(id: "2") { __typename id name inStock } }' });
    expect(result).toEqual({ data: { product: { __typename: 'Article', id: '2', name: 'Product 2', inStock: 7 } } });
  });

  it('hides and defaults arguments below the root: the literals travel in the delegated selection', async () => {
    const view = createBffView(gateway, {
      hiddenArguments: { 'Product.reviews.lang': 'en' },
      argumentDefaults: { 'Product.reviews.first': 2 },
    });
    const result = await graphql({ schema: view, source: '{ product(id: "1") { a: reviews b: reviews(first: 5) } }' });
    expect(result).toEqual({ data: { product: { a: ['2 in en'], b: ['5 in en'] } } });
    const refused = await graphql({ schema: view, source: '{ product(id: "1") { reviews(lang: "fr") } }' });
    expect(refused.errors?.[0].message).toMatch(/^Unknown argument "lang" on field "Product\.reviews"\./);
  });
});
