import type { GraphQLSchema } from 'graphql';
import type { BffViewOptions } from './define-bff';

/** The BFF's trimmed view of the gateway schema. Built once at start-up. (Filtering lands with #7.) */
export function createBffView(schema: GraphQLSchema, _view: BffViewOptions = {}): GraphQLSchema {
  return schema;
}
