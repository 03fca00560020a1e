import { z } from 'zod';
import { SOURCE_KINDS } from '../core/source-kind';
import { openApiSourceOptionsSchema } from './openapi/openapi-source-options';
import { grpcSourceOptionsSchema } from './grpc/grpc-source-options';
import { soapSourceOptionsSchema } from './soap/soap-source-options';
import { graphqlSourceOptionsSchema } from './graphql/graphql-source-options';

/** Every kind of source, as written in the config: the kind picks the schema. */
export const sourceOptionsSchema = z.discriminatedUnion(
  'kind',
  [openApiSourceOptionsSchema, grpcSourceOptionsSchema, soapSourceOptionsSchema, graphqlSourceOptionsSchema],
  {
    error: (issue) => (issue.code === 'invalid_union' ? `must be one of ${SOURCE_KINDS.join(', ')}` : undefined),
  },
);

export type SourceOptions = z.input<typeof sourceOptionsSchema>;
