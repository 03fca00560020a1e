import { makeExecutableSchema } from '@graphql-tools/schema';
import { GraphQLJSON } from 'graphql-scalars';
import { createYoga, type Plugin } from 'graphql-yoga';

const SDL = /* GraphQL */ `
  scalar JSON
  input ReviewInput {
    title: String
    body: String
    tags: [String!]
    meta: JSON
    reply: ReviewInput
  }
  type Query {
    search(term: String, filters: [String!]): [String!]!
    file(path: String): String
    echo(value: JSON): String
  }
  type Mutation {
    createReview(input: ReviewInput!): String
  }
`;

/** A small schema with strings, lists, input objects and a JSON scalar; resolvers count calls (the upstream stand-in). */
export function createThreatApp(plugins: Plugin[]) {
  let calls = 0;
  const schema = makeExecutableSchema({
    typeDefs: SDL,
    resolvers: {
      JSON: GraphQLJSON,
      Query: {
        search: (_root: unknown, args: { term?: string }) => (calls++, [args.term ?? '']),
        file: (_root: unknown, args: { path?: string }) => (calls++, args.path ?? ''),
        echo: (_root: unknown, args: { value?: unknown }) => (calls++, JSON.stringify(args.value ?? null).slice(0, 50)),
      },
      Mutation: {
        createReview: (_root: unknown, args: { input: { title?: string } }) => (calls++, args.input.title ?? 'ok'),
      },
    },
  });
  const yoga = createYoga({ schema, logging: false, landingPage: false, graphiql: false, plugins });
  return {
    async post(body: unknown) {
      const response = await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: JSON.parse(text) };
    },
    calls: () => calls,
  };
}
