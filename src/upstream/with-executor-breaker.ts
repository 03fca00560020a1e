import { isAsyncIterable, type ExecutionRequest, type Executor } from '@graphql-tools/utils';
import { upstreamUnavailable } from '../core/errors';
import type { CircuitBreaker } from './circuit-breaker';
import { errorCodesOf, failedResult } from '../core/execution-request-fields';

/** Result codes that mean the upstream (not the caller) failed; they count against the breaker. */
export const BREAKER_FAILURE_CODES: ReadonlySet<string> = new Set([
  'GRPC_UNAVAILABLE',
  'GRPC_DEADLINE_EXCEEDED',
  'GRPC_INTERNAL',
  'GRPC_UNKNOWN',
  'GRPC_RESOURCE_EXHAUSTED',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_UNAVAILABLE',
]);

const isFailure = (result: unknown) => !isAsyncIterable(result) && errorCodesOf(result).some((code) => BREAKER_FAILURE_CODES.has(code));

/**
 * A breaker around a whole executor, for transports without an HTTP client
 * (gRPC keeps its own channel): open means every call answers
 * UPSTREAM_UNAVAILABLE on its fields at once, with no upstream call.
 */
export function withExecutorBreaker(source: string, breaker: CircuitBreaker, executor: Executor): Executor {
  return (async (request: ExecutionRequest) => {
    if (!breaker.isCallPermitted()) return failedResult(request, upstreamUnavailable(source, 'circuit breaker open'));
    breaker.onCallStarted();
    let failed = true;
    try {
      const result = await executor(request);
      failed = isFailure(result);
      return result;
    } finally {
      if (failed) breaker.onFailure();
      else breaker.onSuccess();
    }
  }) as Executor;
}
