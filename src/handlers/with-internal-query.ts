import { GraphQLBoolean, GraphQLObjectType, GraphQLSchema } from 'graphql';

/**
 * A source with no read operation has no Query type: no placeholder field
 * reaches the public graph, whose Query comes from the other sources.
 * graphql-js only executes a schema with a Query type, so the source's
 * executor runs this copy: the same types plus a Query nobody can select.
 */
export function withInternalQuery(schema: GraphQLSchema): GraphQLSchema {
  if (schema.getQueryType()) return schema;
  const query = new GraphQLObjectType({
    name: 'Query',
    fields: { _internal: { type: GraphQLBoolean, resolve: () => null } },
  });
  return new GraphQLSchema({ ...schema.toConfig(), query, types: undefined });
}
