import { isAsyncIterable, type ExecutionRequest, type ExecutionResult, type Executor } from '@graphql-tools/utils';
import { backoffDelayMs, timerSleep, type Sleep } from './backoff-delay';
import { errorCodesOf } from '../core/execution-request-fields';
import type { RetryBudget } from './retry-budget';
import type { ResolvedRetryOptions } from './upstream-policy-options';

/** Codes an executor-level retry repeats on. HTTP transports retry inside the client, so only gRPC's is here. */
export const EXECUTOR_RETRYABLE_CODES: ReadonlySet<string> = new Set(['GRPC_UNAVAILABLE']);

export interface ExecutorRetryOptions {
  retry: ResolvedRetryOptions;
  budget: RetryBudget;
  /** Whether the call may be repeated (query operation, listed operation, or retryNonIdempotent). */
  idempotent: (request: ExecutionRequest) => boolean;
  onRetry?: () => void;
  sleep?: Sleep;
  random?: () => number;
}

const isRetryable = (result: unknown) => {
  if (isAsyncIterable(result)) return false;
  const codes = errorCodesOf(result);
  return codes.length > 0 && codes.some((code) => EXECUTOR_RETRYABLE_CODES.has(code));
};

/**
 * Repeats a whole executor call whose result carries a retryable code (gRPC
 * UNAVAILABLE), with the same backoff and budget as the HTTP client. Only
 * idempotent calls; a thrown error is not retried.
 */
export function withExecutorRetries(executor: Executor, options: ExecutorRetryOptions): Executor {
  const { retry, budget, sleep = timerSleep, random = Math.random } = options;
  return (async (request: ExecutionRequest) => {
    budget.recordRequest();
    const mayRepeat = retry.maxRetries > 0 && options.idempotent(request);
    let result = await executor(request);
    for (let retryIndex = 0; mayRepeat && retryIndex < retry.maxRetries && isRetryable(result); retryIndex++) {
      if (!budget.tryAcquireRetry()) break;
      options.onRetry?.();
      await sleep(backoffDelayMs(retryIndex, retry.baseDelayMs, retry.maxDelayMs, random), request.signal);
      result = await executor(request);
    }
    return result as ExecutionResult;
  }) as Executor;
}
