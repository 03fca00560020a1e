import type { ExecutionRequest, Executor } from '@graphql-tools/utils';
import { OperationTypeNode } from 'graphql';
import type { SourceKind } from '../core/source-kind';
import { instrumentExecutor } from '../observability/instrument-executor';
import { operationTypeOf, rootFieldsOfRequest } from '../core/execution-request-fields';
import { getResilienceMetrics } from './upstream-metrics';
import { resolveUpstreamPolicy, type ResolvedUpstreamPolicy } from './upstream-policy-options';
import { withCallDeadline } from './with-call-deadline';
import { withFallbacks } from './with-fallbacks';
import type { UpstreamContext, UpstreamSource } from './upstream-source';

/**
 * Whether a call may be repeated. `retryNonIdempotent` and
 * `retry.idempotentOperations` win; sources whose transport is always POST or
 * RPC (GraphQL, SOAP, gRPC) then go by the operation type (queries are reads);
 * for REST the HTTP client decides by method (undefined here).
 */
export function idempotencyOf(
  kind: SourceKind,
  policy: ResolvedUpstreamPolicy,
  request: ExecutionRequest,
): boolean | undefined {
  if (policy.retry.retryNonIdempotent) return true;
  const fields = rootFieldsOfRequest(request);
  if (fields.length > 0 && fields.every((field) => policy.retry.idempotentOperations.has(field.fieldName))) return true;
  if (kind === 'openapi') return undefined;
  return operationTypeOf(request) === OperationTypeNode.QUERY;
}

/**
 * The one place where executor-level upstream policies are composed around a
 * source's executor, outermost first:
 *   1. observability (span + metrics per upstream call)        — src/observability (#10)
 *   2. fallbacks per root field (null, static, last good)      — they see every failure below
 *   3. deadline: per-operation timeout and request deadline    — bounds the retries below
 *   4. the handler's own executor (transport: HTTP, gRPC, SOAP)
 * Every transport gets the endpoint-level policies in its client: endpoint
 * pool and balancing, per-endpoint breakers, outlier ejection, backup,
 * retries with budget (create-endpoint-caller.ts, which the HTTP and gRPC
 * clients both run on) and shadowing. Step 3 hands the
 * deadline and idempotency to those clients through the upstream call context.
 */
export function wrapSourceExecutor(source: UpstreamSource, executor: Executor, context: UpstreamContext): Executor {
  const policy = resolveUpstreamPolicy(
    `source "${source.name}"`,
    source.upstream,
    source.kind === 'grpc' ? 'address' : 'url',
  );
  const bounded = withCallDeadline(executor, {
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
