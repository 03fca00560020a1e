import type { BaseSourceOptions } from '../types';

export interface GrpcSourceOptions extends BaseSourceOptions {
  kind: 'grpc';
  /** One or more .proto files (relative to the config). */
  proto: string | string[];
  /** Directories imports resolve against. @default the proto file's directory */
  includeDirs?: string[];
  /** Per-method mapping override, keyed by `Service.Method` or `Method`. */
  methods?: Record<string, 'query' | 'mutation' | 'subscription' | 'skip'>;
  /** TLS to the upstream (PEM file paths). Plaintext when absent. */
  tls?: { ca?: string; cert?: string; key?: string };
}
