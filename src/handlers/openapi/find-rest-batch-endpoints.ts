import type { GraphQLSchema } from 'graphql';
import { findBatchEndpoints } from '../find-batch-endpoints';
import type { BatchEndpoint } from '../types';

/** REST batch endpoints: a GET whose query parameter is an array of the entity key (`/customers?ids=1,2`, explode or not). */
export function findRestBatchEndpoints(schema: GraphQLSchema): BatchEndpoint[] {
  return findBatchEndpoints(schema);
}
