import { GraphQLError, parse, OperationTypeNode } from 'graphql';
import type { ExecutionRequest, ExecutionResult, Executor } from '@graphql-tools/utils';
import { Registry } from 'prom-client';
import { createSilentLogger } from '../../src/core/logger';
import { createCircuitBreaker } from '../../src/upstream/circuit-breaker';
import { createRetryBudget } from '../../src/upstream/retry-budget';
import { DEFAULT_RETRY } from '../../src/upstream/upstream-policy-options';
import { callDeadline, withCallDeadline } from '../../src/upstream/with-call-deadline';
import { withExecutorBreaker } from '../../src/upstream/with-executor-breaker';
import { withExecutorRetries } from '../../src/upstream/with-executor-retries';
import { wrapSourceExecutor } from '../../src/upstream/wrap-source-executor';
import type { UpstreamSource } from '../../src/upstream/upstream-source';

const request = (query: string, operationType = OperationTypeNode.QUERY): ExecutionRequest => ({ document: parse(query), operationType, context: {} });
const unavailable: ExecutionResult = { data: { getOrder: null }, errors: [new GraphQLError('down', { path: ['getOrder'], extensions: { code: 'GRPC_UNAVAILABLE' } })] };
const ok: ExecutionResult = { data: { getOrder: { id: '1' } } };

/** An executor that plays the given results in order and counts its calls. */
function scripted(...results: ExecutionResult[]) {
  const calls: ExecutionRequest[] = [];
  const executor = (async (call: ExecutionRequest) => {
    calls.push(call);
    return results.shift() ?? ok;
  }) as Executor;
  return { executor, calls };
}

const retry = { ...DEFAULT_RETRY, baseDelayMs: 0 };
const noSleep = async () => undefined;

describe('executor-level policies (gRPC)', () => {
  it('retries a query answered GRPC_UNAVAILABLE, counted exactly', async () => {
    const { executor, calls } = scripted(unavailable, unavailable);
    let retries = 0;
    const retrying = withExecutorRetries(executor, { retry, budget: createRetryBudget(retry), idempotent: () => true, onRetry: () => retries++, sleep: noSleep });
    expect(await retrying(request('{ getOrder(id: "1") { id } }'))).toEqual(ok);
    expect(calls).toHaveLength(3);
    expect(retries).toBe(2);
  });

  it('does not retry a non-idempotent call or another error code', async () => {
    const mutation = scripted(unavailable);
    const notIdempotent = withExecutorRetries(mutation.executor, { retry, budget: createRetryBudget(retry), idempotent: () => false, sleep: noSleep });
    expect(await notIdempotent(request('mutation { cancelOrder(id: "1") { id } }', OperationTypeNode.MUTATION))).toEqual(unavailable);
    expect(mutation.calls).toHaveLength(1);
    const notFound: ExecutionResult = { errors: [new GraphQLError('nope', { extensions: { code: 'GRPC_NOT_FOUND' } })] };
    const other = scripted(notFound);
    const retrying = withExecutorRetries(other.executor, { retry, budget: createRetryBudget(retry), idempotent: () => true, sleep: noSleep });
    expect(await retrying(request('{ getOrder(id: "1") { id } }'))).toEqual(notFound);
    expect(other.calls).toHaveLength(1);
  });

  it('opens the breaker on GRPC_UNAVAILABLE and then answers UPSTREAM_UNAVAILABLE without calling', async () => {
    const { executor, calls } = scripted(unavailable, unavailable);
    const breaker = createCircuitBreaker({ failureRateThreshold: 0.5, minimumCalls: 2, windowMs: 10_000, coolDownMs: 60_000, halfOpenMaxCalls: 1 });
    const guarded = withExecutorBreaker('orders', breaker, executor);
    await guarded(request('{ getOrder(id: "1") { id } }'));
    await guarded(request('{ getOrder(id: "1") { id } }'));
    const refused = (await guarded(request('{ a: getOrder(id: "1") { id } }'))) as ExecutionResult;
    expect(calls).toHaveLength(2);
    expect(refused.data).toEqual({ a: null });
    expect(refused.errors?.map((error) => [error.path, error.extensions])).toEqual([[['a'], { code: 'UPSTREAM_UNAVAILABLE', source: 'orders' }]]);
  });

  it('answers UPSTREAM_TIMEOUT when a transport ignores the deadline', async () => {
    let release!: () => void;
    const hanging = (() => new Promise<ExecutionResult>((resolve) => (release = () => resolve(ok)))) as Executor;
    const bounded = withCallDeadline(hanging, { source: 'orders', operationTimeoutsMs: { getOrder: 30 }, requestDeadlineMs: undefined, idempotent: () => undefined });
    const result = (await bounded(request('{ getOrder(id: "1") { id } }'))) as ExecutionResult;
    release();
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', source: 'orders' });
    expect(result.errors?.[0].message).toBe('Source "orders" did not answer within 30 ms');
  });

  it('counts the request deadline from the first upstream call of the request and takes the tighter limit', () => {
    let time = 1_000;
    const now = () => time;
    const options = { source: 'orders', operationTimeoutsMs: { getOrder: 300 }, requestDeadlineMs: 500, idempotent: () => undefined };
    const context = {};
    const first = { ...request('{ getOrder(id: "1") { id } }'), context };
    expect(callDeadline(first, options, now)).toEqual({ deadlineAt: 1_300, deadlineMs: 300 });
    time = 1_400; // later call of the same request: 100 ms of the 500 ms budget left
    expect(callDeadline({ ...first }, options, now)).toEqual({ deadlineAt: 1_500, deadlineMs: 500 });
    expect(callDeadline({ ...request('{ other { id } }'), context: {} }, options, now)).toEqual({ deadlineAt: 1_900, deadlineMs: 500 });
  });

  it('composes retries and breaker for a gRPC source in wrapSourceExecutor, with metrics', async () => {
    const metrics = new Registry();
    const { executor, calls } = scripted(unavailable, unavailable, unavailable);
    const source: UpstreamSource = { name: 'orders', kind: 'grpc', endpoint: '127.0.0.1:1', upstream: { retry: { baseDelayMs: 0 } } };
    const wrapped = wrapSourceExecutor(source, executor, { logger: createSilentLogger(), metrics });
    const result = (await wrapped(request('{ getOrder(id: "1") { id } }'))) as ExecutionResult;
    expect(result.errors?.[0].extensions?.code).toBe('GRPC_UNAVAILABLE');
    expect(calls).toHaveLength(3);
    expect(await metrics.getSingleMetricAsString('loom_upstream_retries_total')).toContain('loom_upstream_retries_total{source="orders"} 2');
  });
});
