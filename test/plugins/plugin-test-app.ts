import { GraphQLError } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createYoga, type Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../../src/core/context';

/** A tiny schema whose resolvers count calls, standing in for upstreams in plugin unit tests. */
export const TEST_SDL = /* GraphQL */ `
  directive @auth(requires: [String!]!) on FIELD_DEFINITION | OBJECT
  type Query {
    hello: String
    whoami: String
    secret: String @auth(requires: ["secret:read"])
    customers(first: Int): [Customer!]!
    admin: Admin
    leak: String
    crash: String
  }
  type Customer {
    id: ID!
    name: String
    email: String @auth(requires: ["pii"])
    friends(first: Int): [Customer!]!
  }
  type Admin @auth(requires: ["admin"]) {
    stats: Int
  }
  type Mutation {
    rename(name: String!): String
  }
`;

export interface TestApp {
  /** POST JSON to /graphql; returns status, headers and the parsed body. */
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: any }>;
  /** Any request; `serverContext` stands in for node's `{ req, res }` (e.g. the socket's address). */
  request(init: RequestInit & { path?: string; serverContext?: Record<string, unknown> }): Promise<Response>;
  /** Resolver calls so far, the stand-in for upstream calls. */
  calls(): number;
}

export function createTestApp(plugins: Plugin[], options: { production?: boolean } = {}): TestApp {
  let calls = 0;
  const customer = (id: number): Record<string, unknown> => ({
    id: String(id),
    name: `C${id}`,
    email: `c${id}@example.test`,
  });
  const schema = makeExecutableSchema({
    typeDefs: TEST_SDL,
    resolvers: {
      Query: {
        hello: () => (calls++, 'world'),
        whoami: (_root: unknown, _args: unknown, context: GatewayContext) => (
          calls++,
          `${context.identity?.kind}:${context.identity?.subject ?? ''}:${context.identity?.plan ?? ''}`
        ),
        secret: () => (calls++, 's3cret'),
        customers: (_root: unknown, args: { first?: number }) => (
          calls++,
          Array.from({ length: args.first ?? 2 }, (_, index) => customer(index + 1))
        ),
        admin: () => (calls++, { stats: 42 }),
        leak: () => {
          throw new GraphQLError(
            'Source "catalog" failed at https://svc:hunter2@catalog.internal:8443/v1/items?api_key=abc123',
            {
              extensions: { code: 'UPSTREAM_HTTP_ERROR', detail: { url: 'http://10.0.0.7:9000/items?token=t0k' } },
            },
          );
        },
        crash: () => {
          throw new Error('connect ECONNREFUSED http://10.0.0.7:9000/');
        },
      },
      Customer: {
        friends: (_root: unknown, args: { first?: number }) =>
          Array.from({ length: args.first ?? 1 }, (_, index) => customer(index + 10)),
      },
      Mutation: { rename: (_root: unknown, args: { name: string }) => (calls++, args.name) },
    },
  });
  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    logging: false,
    landingPage: false,
    graphiql: false,
    maskedErrors: { isDev: !options.production },
    plugins,
  });
  return {
    async post(body, headers = {}) {
      const response = await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
    },
    request: ({ path = '/graphql', serverContext = {}, ...init }) =>
      Promise.resolve(yoga.fetch(`http://localhost${path}`, init, serverContext)),
    calls: () => calls,
  };
}
