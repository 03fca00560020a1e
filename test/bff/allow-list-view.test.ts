import { printSchema } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createBffView } from '../../src/bff/create-bff-view';
import { createCoordinateMatcher } from '../../src/bff/view/coordinate-matcher';
import type { BffViewOptions } from '../../src/bff/define-bff';

const today = /* GraphQL */ `
  enum Tier {
    GOLD
    SILVER
  }
  input ProductFilter {
    tier: Tier
  }
  type Customer {
    id: ID!
    name: String
    email: String
  }
  type Product {
    id: ID!
    name: String
    tier: Tier
  }
  type Query {
    customer(id: ID!): Customer
    products(filter: ProductFilter, first: Int): [Product]
    allCustomers: [Customer]
  }
  type Mutation {
    buy(id: ID!): Product
    deleteCustomer(id: ID!): Boolean
  }
`;

/** The same graph after a new source was registered and a link was added to Customer. */
const grown = today.replace('email: String', 'email: String\n    orders: [Ledger_Order]').concat(/* GraphQL */ `
  type Ledger_Order {
    id: ID!
    total: Float
  }
  extend type Query {
    ledger_orders: [Ledger_Order]
    ping: String
  }
  extend type Mutation {
    ledger_deleteOAuth2Client(id: ID!): Boolean
  }
`);

const allowList: BffViewOptions = {
  allowList: true,
  include: ['Query.{customer,products}', 'Mutation.buy', 'Customer.{id,name}', 'Product'],
};
const denyList: BffViewOptions = { exclude: ['Mutation.delete*', 'Customer.email'] };

const view = (typeDefs: string, options: BffViewOptions) =>
  printSchema(createBffView(makeExecutableSchema({ typeDefs }), options));

describe('allow-list views (view.allowList)', () => {
  it('serve exactly the listed coordinates; enums and inputs follow the fields that use them', () => {
    expect(view(today, allowList)).toBe(
      [
        'enum Tier {\n  GOLD\n  SILVER\n}',
        'input ProductFilter {\n  tier: Tier\n}',
        'type Customer {\n  id: ID!\n  name: String\n}',
        'type Product {\n  id: ID!\n  name: String\n  tier: Tier\n}',
        'type Query {\n  customer(id: ID!): Customer\n  products(filter: ProductFilter, first: Int): [Product]\n}',
        'type Mutation {\n  buy(id: ID!): Product\n}',
      ].join('\n\n'),
    );
  });

  it('do not grow when a source adds root fields, types, mutations or a link on a listed type', () => {
    expect(view(grown, allowList)).toBe(view(today, allowList));
  });

  it('while a deny-list view takes in all of it', () => {
    const before = view(today, denyList);
    const after = view(grown, denyList);
    expect(after).not.toBe(before);
    expect(after).toContain('ledger_deleteOAuth2Client(id: ID!): Boolean');
    expect(after).toContain('orders: [Ledger_Order]');
  });

  it('a type pattern serves all of the type, fields added later included, when their types are listed too', () => {
    const options: BffViewOptions = { allowList: true, include: ['Query.customer', 'Customer'] };
    expect(view(grown, options)).toContain('type Customer {\n  id: ID!\n  name: String\n  email: String\n}');
    const withOrders: BffViewOptions = { allowList: true, include: ['Query.customer', 'Customer', 'Ledger_Order'] };
    expect(view(grown, withOrders)).toContain('email: String\n  orders: [Ledger_Order]\n}');
  });

  it('exclude still applies on top', () => {
    const options: BffViewOptions = { ...allowList, exclude: ['Product.tier'] };
    expect(view(today, options)).toContain('type Product {\n  id: ID!\n  name: String\n}');
  });

  it('needs include, and allowList must be a boolean', () => {
    const schema = makeExecutableSchema({ typeDefs: today });
    expect(() => createBffView(schema, { allowList: true }, 'kiosk')).toThrow(
      'bff "kiosk": view.allowList needs view.include, the list of what the view serves',
    );
    expect(() =>
      createBffView(schema, { allowList: 'yes' as unknown as boolean, include: ['Query.*'] }, 'kiosk'),
    ).toThrow('bff "kiosk": view.allowList must be true or false');
  });

  it('the matcher: composite types only when named, other kinds unless excluded', () => {
    const matcher = createCoordinateMatcher({
      allowList: true,
      include: ['Query.customer', 'Customer.{id,name}', 'Product'],
      exclude: ['Secret*'],
      rootTypeNames: ['Query', 'Mutation'],
    });
    expect([
      matcher.keepsType('Customer', true),
      matcher.keepsType('Product', true),
      matcher.keepsType('Ledger_Order', true),
      matcher.keepsType('Tier', false),
      matcher.keepsType('SecretTier', false),
      matcher.keepsField('Customer', 'email'),
      matcher.keepsField('Product', 'anything'),
      matcher.keepsField('Query', 'ping'),
      matcher.keepsField('Mutation', 'buy'),
    ]).toEqual([true, true, false, true, false, false, true, false, false]);
  });
});
