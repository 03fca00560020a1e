import { z } from 'zod';

/** grpc-js targets: host:port (IPv6 in brackets), optionally grpc:// or dns:, or a unix: socket. */
const GRPC_TARGET = /^(?:grpc:\/\/|dns:(?:\/\/\/)?)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/;

function isHttpUrl(value: string): boolean {
  try {
    const { protocol, host } = new URL(value);
    return (protocol === 'http:' || protocol === 'https:') && host !== '';
  } catch {
    return false;
  }
}

function isGrpcTarget(value: string): boolean {
  if (value.startsWith('unix:')) return value.length > 'unix:'.length;
  const port = Number(GRPC_TARGET.exec(value)?.[1]);
  return port >= 1 && port <= 65535;
}

const HTTP_URL = 'must be an http(s) URL (e.g. http://127.0.0.1:8080)';
const GRPC_ADDRESS = 'must be host:port (e.g. 127.0.0.1:50051)';

/**
 * An upstream base URL, parsed at load: a bad one fails the config, not every
 * request of a gateway /readyz calls ready (ERR_INVALID_URL).
 */
export const httpEndpointSchema = z.string({ error: HTTP_URL }).refine(isHttpUrl, { error: HTTP_URL });

/** A gRPC target as grpc-js dials it: `host:port`, `grpc://host:port`, `dns:host:port` or `unix:/path`. */
export const grpcTargetSchema = z.string({ error: GRPC_ADDRESS }).refine(isGrpcTarget, { error: GRPC_ADDRESS });

/** How a source's endpoints are written: base URLs (REST, SOAP, GraphQL) or gRPC addresses. */
export type EndpointForm = 'url' | 'address';

export const ENDPOINT_SCHEMAS: Readonly<Record<EndpointForm, typeof httpEndpointSchema>> = {
  url: httpEndpointSchema,
  address: grpcTargetSchema,
};

/** One endpoint, or a non-empty list of them (load balancing and failover). */
export function endpointsSchema(form: EndpointForm) {
  const one = ENDPOINT_SCHEMAS[form];
  return z.union([
    one,
    z.array(one, { error: 'must be a string or a list of strings' }).min(1, { error: 'must not be an empty list' }),
  ]);
}
