import { status as GrpcStatus } from '@grpc/grpc-js';
import type { AttemptVerdict } from './create-endpoint-caller';

/**
 * gRPC statuses that say the endpoint, not the request, is in trouble: it
 * cannot be reached, did not answer in time, or is out of capacity. Only these
 * count toward the endpoint's breaker and outlier ejection. Every other status
 * (NOT_FOUND, INVALID_ARGUMENT, FAILED_PRECONDITION, PERMISSION_DENIED, ...)
 * is the backend's answer to this request, like an HTTP 4xx: counting it would
 * let one client's bad ids take a healthy endpoint out of the pool.
 */
export const GRPC_ENDPOINT_FAILURES: ReadonlySet<number> = new Set([
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.RESOURCE_EXHAUSTED,
]);

/** The numeric gRPC status of a grpc-js error, or undefined for anything else (e.g. a request that failed to serialize). */
export function grpcStatusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * What a failed gRPC attempt means. UNAVAILABLE is retried on another endpoint
 * (idempotent calls only: grpc-js does not say whether the request was sent).
 * DEADLINE_EXCEEDED used the attempt's time, and RESOURCE_EXHAUSTED asks for
 * less load: neither is repeated, both count against the endpoint.
 */
export function classifyGrpcError(error: unknown): AttemptVerdict {
  const code = grpcStatusOf(error);
  if (code === undefined || !GRPC_ENDPOINT_FAILURES.has(code)) return { failed: false, retryable: false };
  const reason = GrpcStatus[code];
  if (code === GrpcStatus.UNAVAILABLE) return { failed: true, retryable: true, reason };
  return { failed: true, retryable: false, timedOut: code === GrpcStatus.DEADLINE_EXCEEDED, reason };
}
