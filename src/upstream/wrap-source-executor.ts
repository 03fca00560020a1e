import type { ExecutionRequest, Executor } from '@graphql-tools/utils';
import { OperationTypeNode } from 'graphql';
import type { SourceKind } from '../core/source-kind';
import { instrumentExecutor } from '../observability/instrument-executor';
import { recordUpstreamRetry } from '../observability/record-upstream-retry';
import { CIRCUIT_STATE_VALUE, createCircuitBreaker } from './circuit-breaker';
import { operationTypeOf, rootFieldsOfRequest } from '../core/execution-request-fields';
import { createRetryBudget } from './retry-budget';
import { registerUpstreamHealth } from './upstream-health-board';
import { endpointLabel, getResilienceMetrics } from './upstream-metrics';
import { resolveUpstreamPolicy, type ResolvedUpstreamPolicy } from './upstream-policy-options';
import { withCallDeadline } from './with-call-deadline';
import { withExecutorBreaker } from './with-executor-breaker';
import { withExecutorRetries } from './with-executor-retries';
import { withFallbacks } from './with-fallbacks';
import type { UpstreamContext, UpstreamSource } from './upstream-source';

/**
 * Whether a call may be repeated. `retryNonIdempotent` and
 * `retry.idempotentOperations` win; sources whose transport is always POST or
 * RPC (GraphQL, SOAP, gRPC) then go by the operation type (queries are reads);
 * for REST the HTTP client decides by method (undefined here).
 */
export function idempotencyOf(kind: SourceKind, policy: ResolvedUpstreamPolicy, request: ExecutionRequest): boolean | undefined {
  if (policy.retry.retryNonIdempotent) return true;
  const fields = rootFieldsOfRequest(request);
  if (fields.length > 0 && fields.every((field) => policy.retry.idempotentOperations.has(field.fieldName))) return true;
  if (kind === 'openapi') return undefined;
  return operationTypeOf(request) === OperationTypeNode.QUERY;
}

/** gRPC has no HTTP client: its breaker and retries (on GRPC_UNAVAILABLE) wrap the executor, one breaker per source. */
function wrapRpcExecutor(source: UpstreamSource, policy: ResolvedUpstreamPolicy, executor: Executor, context: UpstreamContext): Executor {
  const metrics = getResilienceMetrics(context.metrics);
  const endpoint = endpointLabel([source.endpoint ?? ''].flat().join(','));
  let wrapped = executor;
  if (policy.circuitBreaker) {
    const breaker = createCircuitBreaker(policy.circuitBreaker, {
      onStateChange: (state) => {
        metrics.circuitState.set({ source: source.name, endpoint }, CIRCUIT_STATE_VALUE[state]);
        context.logger.warn({ source: source.name, endpoint, state }, 'upstream circuit breaker changed state');
      },
    });
    metrics.circuitState.set({ source: source.name, endpoint }, 0);
    registerUpstreamHealth(context.metrics, source.name, () => [
      { endpoint, backup: false, circuit: breaker.state(), ejected: false, outstanding: 0 },
    ]);
    wrapped = withExecutorBreaker(source.name, breaker, wrapped);
  }
  return withExecutorRetries(wrapped, {
    retry: policy.retry,
    budget: createRetryBudget(policy.retry),
    idempotent: (request) => idempotencyOf(source.kind, policy, request) === true,
    onRetry: () => {
      metrics.retries.inc({ source: source.name });
      recordUpstreamRetry();
    },
  });
}

/**
 * The one place where executor-level upstream policies are composed around a
 * source's executor, outermost first:
 *   1. observability (span + metrics per upstream call)        — src/observability (#10)
 *   2. fallbacks per root field (null, static, last good)      — they see every failure below
 *   3. deadline: per-operation timeout and request deadline    — bounds the retries below
 *   4. gRPC only: retries on GRPC_UNAVAILABLE, then the breaker
 *   5. the handler's own executor (transport: HTTP, gRPC, SOAP)
 * HTTP sources get the transport-level policies in their client
 * (create-http-client.ts): endpoint pool and balancing, per-endpoint breakers,
 * outlier ejection, backup, retries with budget, shadowing and keep-alive.
 * Step 3 hands the deadline and idempotency to that client through the
 * upstream call context.
 */
export function wrapSourceExecutor(source: UpstreamSource, executor: Executor, context: UpstreamContext): Executor {
  const policy = resolveUpstreamPolicy(`source "${source.name}"`, source.upstream);
  const transport = source.kind === 'grpc' ? wrapRpcExecutor(source, policy, executor, context) : executor;
  const bounded = withCallDeadline(transport, {
    source: source.name,
    operationTimeoutsMs: policy.operationTimeoutsMs,
    requestDeadlineMs: policy.requestDeadlineMs,
    idempotent: (request) => idempotencyOf(source.kind, policy, request),
  });
  const metrics = getResilienceMetrics(context.metrics);
  const resilient = withFallbacks(bounded, {
    fallbacks: policy.fallbacks,
    onFallback: (field) => metrics.fallbacks.inc({ source: source.name, field }),
  });
  return instrumentExecutor({ name: source.name, kind: source.kind }, resilient, context);
}
