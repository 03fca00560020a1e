import { graphql, printSchema, type GraphQLSchema } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createBffView } from '../../src/bff/create-bff-view';
import { ConfigError } from '../../src/core/errors';

const typeDefs = /* GraphQL */ `
  interface Node {
    id: ID!
    secret: String
  }
  type User implements Node {
    id: ID!
    secret: String
    name: String
    note: String
  }
  type Robot implements Node {
    id: ID!
    secret: String
    model: String
  }
  union SearchResult = User | Robot
  type Query {
    user(id: ID!): User
    users(first: Int): [User]
    allUsers: [User!]!
    search(text: String!, tenant: String!): [SearchResult]
    node(id: ID!): Node
  }
  type Mutation {
    deleteUser(id: ID!): Boolean
    renameUser(id: ID!, name: String!): User
  }
`;

const seen: Array<Record<string, unknown>> = [];
const user = { __typename: 'User', id: 'u1', secret: 's', name: 'Ann', note: 'internal' };
const robot = { __typename: 'Robot', id: 'r1', secret: 's', model: 'R2' };
const gateway = makeExecutableSchema({
  typeDefs,
  resolvers: {
    Query: {
      user: () => user,
      users: (_root: unknown, args: Record<string, unknown>) => (seen.push(args), [user]),
      allUsers: () => [user],
      search: (_root: unknown, args: Record<string, unknown>) => (seen.push(args), [user, robot]),
      node: (_root: unknown, { id }: { id: string }) => (id === 'r1' ? robot : user),
    },
    Mutation: { deleteUser: () => true, renameUser: () => user },
  },
});

const fieldsOf = (schema: GraphQLSchema, typeName: string) => {
  const type = schema.getType(typeName) as { getFields?: () => Record<string, unknown> } | undefined;
  return type?.getFields ? Object.keys(type.getFields()) : undefined;
};
const run = (schema: GraphQLSchema, source: string) => graphql({ schema, source });

beforeEach(() => {
  seen.length = 0;
});

describe('createBffView filters', () => {
  it('returns the gateway schema itself when the view keeps everything', () => {
    expect(createBffView(gateway, {}, 'web')).toBe(gateway);
  });

  it('hides a field on an implementation, on its interface and on the other implementations', () => {
    const view = createBffView(gateway, { exclude: ['User.secret'] });
    expect(fieldsOf(view, 'User')).toEqual(['id', 'name', 'note']);
    expect(fieldsOf(view, 'Node')).toEqual(['id']);
    expect(fieldsOf(view, 'Robot')).toEqual(['id', 'model']);
  });

  it('hides an interface field on every implementation', () => {
    const view = createBffView(gateway, { exclude: ['Node.secret'] });
    expect(fieldsOf(view, 'Robot')).toEqual(['id', 'model']);
    expect(fieldsOf(view, 'User')).toEqual(['id', 'name', 'note']);
  });

  it('treats root fields as one list: including queries only hides every mutation', () => {
    const view = createBffView(gateway, { include: ['Query.user', 'Query.node'] });
    expect(fieldsOf(view, 'Query')).toEqual(['user', 'node']);
    expect(view.getMutationType()).toBeUndefined();
    expect(view.getType('SearchResult')).toBeUndefined();
    // Returned interfaces keep their implementations; User's fields are not narrowed.
    expect(fieldsOf(view, 'Robot')).toEqual(['id', 'secret', 'model']);
    expect(fieldsOf(view, 'User')).toEqual(['id', 'secret', 'name', 'note']);
  });

  it('narrows the fields of a type named by an include field pattern, with braces and wildcards', () => {
    const view = createBffView(gateway, { include: ['Query.*', 'Mutation.rename*', 'User.{id,name}'] });
    expect(fieldsOf(view, 'User')).toEqual(['id', 'name']);
    expect(fieldsOf(view, 'Mutation')).toEqual(['renameUser']);
    expect(fieldsOf(view, 'Query')).toEqual(['user', 'users', 'allUsers', 'search', 'node']);
  });

  it('hides a type everywhere: union members, fields returning it, and prunes what becomes unreachable', () => {
    const view = createBffView(gateway, { exclude: ['Robot', 'Mutation.*'] });
    expect(view.getType('Robot')).toBeUndefined();
    expect(printSchema(view)).toContain('union SearchResult = User');
    expect(view.getMutationType()).toBeUndefined();
  });

  it('answers a value of a hidden type with FORBIDDEN and without naming the type', async () => {
    const view = createBffView(gateway, { exclude: ['Robot'] });
    const result = await run(
      view,
      '{ node(id: "r1") { __typename id } search(text: "x", tenant: "t") { __typename } }',
    );
    expect(result.data).toEqual({ node: null, search: [{ __typename: 'User' }, null] });
    expect(result.errors?.map((error) => error.extensions.code)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(JSON.stringify(result)).not.toContain('Robot');
  });

  it('hides root lists without a bound argument when listBoundArguments is set', () => {
    const view = createBffView(gateway, { listBoundArguments: ['first', 'limit'] });
    expect(fieldsOf(view, 'Query')).toEqual(['user', 'users', 'node']);
  });
});

describe('createBffView arguments', () => {
  it('hides an argument and sends its fixed value', async () => {
    const view = createBffView(gateway, { hiddenArguments: { 'Query.search.tenant': 'acme' } });
    expect(printSchema(view)).toContain('search(text: String!): [SearchResult]');
    const result = await run(view, '{ search(text: "a") { __typename } }');
    expect(result.errors).toBeUndefined();
    expect(seen).toEqual([{ text: 'a', tenant: 'acme' }]);
    const refused = await run(view, '{ search(text: "a", tenant: "evil") { __typename } }');
    expect(refused.errors?.[0].message).toMatch(/^Unknown argument "tenant" on field "Query\.search"\./);
  });

  it('changes a visible default that reaches the resolver when the client leaves it out', async () => {
    const view = createBffView(gateway, { argumentDefaults: { 'Query.users.first': 2 } });
    expect(printSchema(view)).toContain('users(first: Int = 2): [User]');
    await run(view, '{ a: users { id } }');
    await run(view, '{ b: users(first: 9) { id } }');
    expect(seen).toEqual([{ first: 2 }, { first: 9 }]);
  });

  it.each([
    [{ hiddenArguments: { 'Node.id.x': 1 } }, 'bff "t": view.hiddenArguments "Node.id.x": Node is not an object type'],
    [
      { hiddenArguments: { 'Query.search': 1 } },
      'bff "t": view.hiddenArguments "Query.search": expected Type.field.argument',
    ],
    [
      { hiddenArguments: { 'Query.search.nope': 1 } },
      'bff "t": view.hiddenArguments "Query.search.nope": the gateway schema has no such argument',
    ],
    [
      { argumentDefaults: { 'Query.users.first': 'ten' } },
      'bff "t": view.argumentDefaults "Query.users.first": Invalid value "ten": Int cannot represent non-integer value: "ten"',
    ],
    [{ include: ['Mutation.*'] }, 'bff "t": the view hides every Query field'],
    [{ exclude: 'User.secret' }, 'bff "t": view.exclude must be a list of glob patterns'],
    [{ renames: { Nope: 'Other' } }, 'bff "t": view.renames "Nope": the view has no such type or field'],
    [{ renames: { User: 'not-a-name' } }, 'bff "t": view.renames "User": "not-a-name" is not a GraphQL name'],
  ])('fails start-up with a ConfigError for %j', (view, message) => {
    const build = () => createBffView(gateway, view as never, 't');
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(message);
  });
});

describe('createBffView renames', () => {
  it('renames types, root fields and object fields, and __typename follows', async () => {
    const view = createBffView(gateway, {
      renames: { User: 'Person', 'Query.user': 'person', 'User.name': 'fullName' },
    });
    const result = await run(
      view,
      '{ person(id: "u1") { __typename fullName } node(id: "u1") { ... on Person { fullName } } }',
    );
    expect(result).toEqual({ data: { person: { __typename: 'Person', fullName: 'Ann' }, node: { fullName: 'Ann' } } });
    expect(view.getType('User')).toBeUndefined();
  });
});
