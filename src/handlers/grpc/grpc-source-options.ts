import type { BaseSourceOptions } from '../types';

/** See `GrpcSourceOptions.connectTimeoutMs`. */
export const DEFAULT_GRPC_CONNECT_TIMEOUT_MS = 5_000;

export interface GrpcSourceOptions extends BaseSourceOptions {
  kind: 'grpc';
  /** One or more .proto files (relative to the config). */
  proto: string | string[];
  /** Directories imports resolve against. @default the proto file's directory */
  includeDirs?: string[];
  /** Per-method mapping override, keyed by `Service.Method` or `Method`. */
  methods?: Record<string, 'query' | 'mutation' | 'subscription' | 'skip'>;
  /**
   * Longest a connection may take to become ready (TCP, TLS and HTTP/2
   * handshake), in ms. An endpoint that accepts TCP but never completes the
   * handshake would otherwise hold the source down until restart.
   * @default 5000
   */
  connectTimeoutMs?: number;
  /** TLS to the upstream (PEM file paths). Plaintext when absent. */
  tls?: { ca?: string; cert?: string; key?: string };
}
