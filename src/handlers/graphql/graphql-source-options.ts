import { z } from 'zod';
import { nonEmptyString, strictObject } from '../../core/options-schema';
import { baseSourceShape } from '../types';
import { endpointsSchema } from '../../upstream/endpoint-schemas';

export const graphqlSourceOptionsSchema = strictObject({
  ...baseSourceShape('url'),
  kind: z.literal('graphql'),
  /** The remote GraphQL endpoint (required: it serves the queries, and the schema when `sdl` is absent). */
  endpoint: endpointsSchema('url'),
  /** SDL file describing the remote schema; introspected from `endpoint` when absent. */
  sdl: nonEmptyString().optional(),
});

export type GraphqlSourceOptions = z.input<typeof graphqlSourceOptionsSchema>;
