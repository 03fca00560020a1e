import type { BaseSourceOptions } from '../types';

/** See `GrpcSourceOptions.connectTimeoutMs`. */
export const DEFAULT_GRPC_CONNECT_TIMEOUT_MS = 5_000;

export interface GrpcSourceOptions extends BaseSourceOptions {
  kind: 'grpc';
  /** One or more .proto files (relative to the config). */
  proto: string | string[];
  /** Directories imports resolve against. @default the proto file's directory */
  includeDirs?: string[];
  /**
   * Services to expose, by full name (`grpc.health.v1.Health`). An unknown
   * name is a config error that lists the protos' services.
   * @default every service the protos declare
   */
  services?: string[];
  /**
   * Per-method mapping override, keyed by `Service.Method` or `Method`. A
   * server stream is a Subscription; map it to 'query' to also get a Query that
   * collects the stream into a list (only for streams that end).
   */
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
