import type { BaseSourceOptions } from '../types';

export interface OpenApiSourceOptions extends BaseSourceOptions {
  kind: 'openapi';
  /** OpenAPI 3 (or Swagger 2) spec: a file path (relative to the config) or an http(s) URL. YAML or JSON. */
  spec: string;
  /** Put these operations on Query or Mutation regardless of their HTTP method: `{ searchProducts: 'query' }`. */
  operations?: Record<string, 'query' | 'mutation'>;
}
