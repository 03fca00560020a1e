import { GraphQLError, parse, OperationTypeNode } from 'graphql';
import type { ExecutionRequest, ExecutionResult, Executor } from '@graphql-tools/utils';
import { Registry } from 'prom-client';
import { createSilentLogger } from '../../src/core/logger';
import { callDeadline, withCallDeadline } from '../../src/upstream/with-call-deadline';
import { wrapSourceExecutor } from '../../src/upstream/wrap-source-executor';
import type { UpstreamSource } from '../../src/upstream/upstream-source';

const request = (query: string, operationType = OperationTypeNode.QUERY): ExecutionRequest => ({
  document: parse(query),
  operationType,
  context: {},
});
const unavailable: ExecutionResult = {
  data: { getOrder: null },
  errors: [new GraphQLError('down', { path: ['getOrder'], extensions: { code: 'GRPC_UNAVAILABLE' } })],
};
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

describe('executor-level policies', () => {
  it('answers UPSTREAM_TIMEOUT when a transport ignores the deadline', async () => {
    let release!: () => void;
    const hanging = (() => new Promise<ExecutionResult>((resolve) => (release = () => resolve(ok)))) as Executor;
    const bounded = withCallDeadline(hanging, {
      source: 'orders',
      operationTimeoutsMs: { getOrder: 30 },
      requestDeadlineMs: undefined,
      idempotent: () => undefined,
    });
    const result = (await bounded(request('{ getOrder(id: "1") { id } }'))) as ExecutionResult;
    release();
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', source: 'orders' });
    expect(result.errors?.[0].message).toBe('Source "orders" did not answer within 30 ms');
  });

  it('counts the request deadline from the first upstream call of the request and takes the tighter limit', () => {
    let time = 1_000;
    const now = () => time;
    const options = {
      source: 'orders',
      operationTimeoutsMs: { getOrder: 300 },
      requestDeadlineMs: 500,
      idempotent: () => undefined,
    };
    const context = {};
    const first = { ...request('{ getOrder(id: "1") { id } }'), context };
    expect(callDeadline(first, options, now)).toEqual({ deadlineAt: 1_300, deadlineMs: 300 });
    time = 1_400; // later call of the same request: 100 ms of the 500 ms budget left
    expect(callDeadline({ ...first }, options, now)).toEqual({ deadlineAt: 1_500, deadlineMs: 500 });
    expect(callDeadline({ ...request('{ other { id } }'), context: {} }, options, now)).toEqual({
      deadlineAt: 1_900,
      deadlineMs: 500,
    });
  });

  it('leaves retries and the breaker of a gRPC source to its transport (one executor call, no executor-level retry)', async () => {
    const metrics = new Registry();
    const { executor, calls } = scripted(unavailable, unavailable, unavailable);
    const source: UpstreamSource = {
      name: 'orders',
      kind: 'grpc',
      endpoint: '127.0.0.1:1',
      upstream: { retry: { baseDelayMs: 0 } },
    };
    const wrapped = wrapSourceExecutor(source, executor, { logger: createSilentLogger(), metrics });
    const result = (await wrapped(request('{ getOrder(id: "1") { id } }'))) as ExecutionResult;
    expect(result.errors?.[0].extensions?.code).toBe('GRPC_UNAVAILABLE');
    expect(calls).toHaveLength(1);
  });
});
