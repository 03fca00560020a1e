import { z } from 'zod';
import { nonEmptyString, oneOf, positiveNumber, stringList, strictObject } from '../../core/options-schema';
import { endpointsSchema } from '../../upstream/endpoint-schemas';
import { baseSourceShape } from '../types';

/** See `GrpcSourceOptions.connectTimeoutMs`. */
export const DEFAULT_GRPC_CONNECT_TIMEOUT_MS = 5_000;

export const grpcSourceOptionsSchema = strictObject({
  ...baseSourceShape('address'),
  kind: z.literal('grpc'),
  /** The server(s), `host:port` (required: a .proto names no server). */
  endpoint: endpointsSchema('address'),
  /** One or more .proto files (relative to the config). */
  proto: z.union([nonEmptyString(), z.array(nonEmptyString()).min(1, { error: 'must not be an empty list' })]),
  /** Directories imports resolve against. @default the proto file's directory */
  includeDirs: stringList().optional(),
  /**
   * Services to expose, by full name (`grpc.health.v1.Health`). An unknown
   * name is a config error that lists the protos' services.
   * @default every service the protos declare
   */
  services: stringList().optional(),
  /**
   * Per-method mapping override, keyed by `Service.Method` or `Method`. A
   * server stream is a Subscription; map it to 'query' to also get a Query that
   * collects the stream into a list (only for streams that end).
   */
  methods: z
    .record(z.string(), oneOf(['query', 'mutation', 'subscription', 'skip']), { error: 'must be an object' })
    .optional(),
  /**
   * Longest a connection may take to become ready (TCP, TLS and HTTP/2
   * handshake), in ms. An endpoint that accepts TCP but never completes the
   * handshake would otherwise hold the source down until restart.
   * @default 5000
   */
  connectTimeoutMs: positiveNumber().optional(),
  /** TLS to the upstream (PEM file paths). Plaintext when absent. */
  tls: strictObject({
    ca: nonEmptyString().optional(),
    cert: nonEmptyString().optional(),
    key: nonEmptyString().optional(),
  }).optional(),
});

export type GrpcSourceOptions = z.input<typeof grpcSourceOptionsSchema>;
