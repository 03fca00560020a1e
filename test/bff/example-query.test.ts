import { buildSchema, parse, validate } from 'graphql';
import { createExampleQuery, createFieldQuery } from '../../src/bff/example-query';
import { DEMO_BFFS, startCatalogGateway, type CatalogGateway } from './catalog-gateway';

const schema = buildSchema(`
  type Query {
    needsId(id: ID!): Item
    count: Int
    items(first: Int, tag: String): [Item!]!
  }
  type Item { note(lang: String!): String, kind: String, name: String, id: ID!, size: Int, color: String, extra: String }
`);

describe('example queries', () => {
  it('takes the first root field that needs no argument and returns an object, bounded, id and name first', () => {
    const query = createExampleQuery(schema)!;
    expect(query).toBe('{\n  items(first: 3) {\n    id\n    name\n    kind\n    size\n  }\n}\n');
    expect(validate(schema, parse(query))).toEqual([]);
  });

  it('is undefined when no root field fits', () => {
    expect(createExampleQuery(buildSchema('type Query { count: Int, byId(id: ID!): Query }'))).toBeUndefined();
  });

  it('turns required arguments into variables for a field link', () => {
    const query = createFieldQuery(schema, 'needsId')!;
    expect(query).toBe(
      'query NeedsId($id: ID!) {\n  needsId(id: $id) {\n    id\n    name\n    kind\n    size\n  }\n}\n',
    );
    expect(validate(schema, parse(query))).toEqual([]);
    expect(createFieldQuery(schema, 'count')).toBe('query Count {\n  count\n}\n');
    expect(createFieldQuery(schema, 'missing')).toBeUndefined();
  });

  describe('on the demo BFFs', () => {
    let demo: CatalogGateway;
    beforeAll(async () => (demo = await startCatalogGateway(DEMO_BFFS)));
    afterAll(() => demo?.close());

    it.each(['web', 'mobile'])('GraphiQL on %s opens with a query that returns data', async (bff) => {
      const app = demo.gateway.gateway.bffs.get(bff)!;
      expect(app.graphiql).toBe(true);
      const result = await demo.gateway.query(bff, { query: app.exampleQuery! });
      expect(result.status).toBe(200);
      expect(result.body.errors).toBeUndefined();
      expect(result.body.data?.listProducts).toHaveLength(3);
    });
  });
});
