import { z } from 'zod';
import { nonEmptyString, oneOf, strictObject } from '../../core/options-schema';
import { baseSourceShape } from '../types';

export const openApiSourceOptionsSchema = strictObject({
  ...baseSourceShape('url'),
  kind: z.literal('openapi'),
  /** OpenAPI 3 (or Swagger 2) spec: a file path (relative to the config) or an http(s) URL. YAML or JSON. */
  spec: nonEmptyString(),
  /** Put these operations on Query or Mutation regardless of their HTTP method: `{ searchProducts: 'query' }`. */
  operations: z.record(z.string(), oneOf(['query', 'mutation']), { error: 'must be an object' }).optional(),
});

export type OpenApiSourceOptions = z.input<typeof openApiSourceOptionsSchema>;
