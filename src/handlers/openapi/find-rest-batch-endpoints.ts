import type { GraphQLSchema } from 'graphql';
import type { BatchEndpoint } from '../types';

/** Batch endpoint detection for REST sources; filled in by the composition work (#6). */
export function findRestBatchEndpoints(_schema: GraphQLSchema): BatchEndpoint[] {
  return [];
}
