import { status as GrpcStatus } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import {
  createEndpointCaller,
  type AttemptVerdict,
  type EndpointAttempt,
  type EndpointCallerOptions,
} from '../../src/upstream/create-endpoint-caller';
import { classifyGrpcError } from '../../src/upstream/grpc-failure';
import { describeUpstreamHealth } from '../../src/upstream/upstream-health-board';
import { runInUpstreamCall } from '../../src/upstream/upstream-call-context';
import { resolveUpstreamPolicy, type UpstreamPolicyOptions } from '../../src/upstream/upstream-policy-options';

const noSleep = async () => undefined;

class Failure extends Error {
  constructor(readonly verdict: AttemptVerdict) {
    super(verdict.reason ?? 'failure');
  }
}
const down: AttemptVerdict = { failed: true, retryable: true, reason: 'DOWN' };
const refused: AttemptVerdict = { failed: true, retryable: true, notSent: true, reason: 'REFUSED' };
const answerError: AttemptVerdict = { failed: false, retryable: false };

/** Endpoints that fail with a verdict, or answer their own name; every attempt is logged. */
function scriptedAttempt(
  failures: Record<string, AttemptVerdict>,
  log: Array<{ endpoint: string; timeoutMs: number }>,
): EndpointAttempt<string> {
  return {
    run: async (endpoint, timeoutMs) => {
      log.push({ endpoint, timeoutMs });
      const failure = failures[endpoint];
      if (failure) throw new Failure(failure);
      return endpoint;
    },
    classifyError: (error) => (error as Failure).verdict,
  };
}

function callerOf(upstream: UpstreamPolicyOptions = {}, options: Partial<EndpointCallerOptions> = {}) {
  return createEndpointCaller({
    source: 'orders',
    endpoints: ['a:1', 'b:2'],
    policy: resolveUpstreamPolicy('source "orders"', upstream, 'address'),
    timeoutMs: 1000,
    label: (endpoint) => endpoint,
    sleep: noSleep,
    ...options,
  });
}

const idempotent = <T>(run: () => Promise<T>) => runInUpstreamCall({ idempotent: true }, run);

describe('createEndpointCaller', () => {
  it('balances round-robin and retries a retryable failure on the other endpoint, counted in metrics', async () => {
    const metrics = new Registry();
    const log: Array<{ endpoint: string; timeoutMs: number }> = [];
    const caller = callerOf({}, { metrics });
    expect(await idempotent(() => caller.call(scriptedAttempt({}, log)))).toBe('a:1');
    expect(await idempotent(() => caller.call(scriptedAttempt({}, log)))).toBe('b:2');
    expect(await idempotent(() => caller.call(scriptedAttempt({ 'a:1': down }, log)))).toBe('b:2');
    expect(log.map((entry) => entry.endpoint)).toEqual(['a:1', 'b:2', 'a:1', 'b:2']);
    expect(log.every((entry) => entry.timeoutMs === 1000)).toBe(true);
    expect(await metrics.getSingleMetricAsString('loom_upstream_retries_total')).toContain(
      'loom_upstream_retries_total{source="orders"} 1',
    );
    caller.close();
  });

  it('retries a call that is not idempotent only when it never left (notSent)', async () => {
    const log: Array<{ endpoint: string; timeoutMs: number }> = [];
    const caller = callerOf();
    await expect(caller.call(scriptedAttempt({ 'a:1': down }, log))).rejects.toThrow('DOWN');
    // Round-robin: the second call starts on b:2, which refuses the connection.
    expect(await caller.call(scriptedAttempt({ 'b:2': refused }, log))).toBe('a:1');
    expect(log.map((entry) => entry.endpoint)).toEqual(['a:1', 'b:2', 'a:1']);
    caller.close();
  });

  it('throws answers at once: never retried, never counted against the endpoint', async () => {
    const metrics = new Registry();
    const log: Array<{ endpoint: string; timeoutMs: number }> = [];
    const caller = callerOf(
      { circuitBreaker: { minimumCalls: 1, failureRateThreshold: 0.01 }, outlierDetection: { consecutiveFailures: 1 } },
      { metrics },
    );
    for (let call = 0; call < 20; call++) {
      await expect(
        idempotent(() => caller.call(scriptedAttempt({ 'a:1': answerError, 'b:2': answerError }, log))),
      ).rejects.toThrow('failure');
    }
    expect(log).toHaveLength(20);
    expect(describeUpstreamHealth(metrics)).toEqual([
      {
        source: 'orders',
        endpoints: [
          { endpoint: 'a:1', backup: false, circuit: 'closed', ejected: false, outstanding: 0 },
          { endpoint: 'b:2', backup: false, circuit: 'closed', ejected: false, outstanding: 0 },
        ],
      },
    ]);
    caller.close();
    expect(describeUpstreamHealth(metrics)).toEqual([]);
  });

  it('fails fast with UPSTREAM_UNAVAILABLE and no attempt once every breaker is open; the backup serves first', async () => {
    const log: Array<{ endpoint: string; timeoutMs: number }> = [];
    const breaker = {
      circuitBreaker: { minimumCalls: 1, coolDownMs: 60_000 },
      retry: false as const,
      outlierDetection: false as const,
    };
    const caller = callerOf({ ...breaker, backupEndpoint: 'c:3' });
    const failing = { 'a:1': down, 'b:2': down, 'c:3': down };
    for (let call = 0; call < 3; call++)
      await expect(caller.call(scriptedAttempt(failing, log))).rejects.toThrow('DOWN');
    expect(log.map((entry) => entry.endpoint)).toEqual(['a:1', 'b:2', 'c:3']);
    await expect(caller.call(scriptedAttempt(failing, log))).rejects.toMatchObject({
      message: 'Source "orders" is unavailable: circuit breaker open',
      extensions: { code: 'UPSTREAM_UNAVAILABLE' },
    });
    expect(() => caller.lease()).toThrow('circuit breaker open');
    expect(log).toHaveLength(3);
    caller.close();
  });

  it('gives each attempt what is left of the call deadline and names that limit when the attempt times out', async () => {
    let time = 10_000;
    const caller = callerOf({}, { now: () => time });
    const log: Array<{ endpoint: string; timeoutMs: number }> = [];
    const timedOut: AttemptVerdict = { failed: true, retryable: false, timedOut: true };
    const call = () => caller.call(scriptedAttempt({ 'a:1': timedOut }, log));
    await expect(runInUpstreamCall({ deadlineAt: 10_250, deadlineMs: 250 }, call)).rejects.toMatchObject({
      message: 'Source "orders" did not answer within 250 ms',
      extensions: { code: 'UPSTREAM_TIMEOUT' },
    });
    expect(log).toEqual([{ endpoint: 'a:1', timeoutMs: 250 }]);
    time = 20_000; // past the deadline: no attempt at all
    await expect(runInUpstreamCall({ deadlineAt: 10_250, deadlineMs: 250 }, call)).rejects.toThrow(
      'did not answer within 250 ms',
    );
    expect(log).toHaveLength(1);
    caller.close();
  });

  it('stops retrying when the retry budget is spent and counts the denial', async () => {
    const metrics = new Registry();
    const caller = callerOf({ retry: { budgetRatio: 0, budgetMinRetries: 1 } }, { metrics });
    const log: Array<{ endpoint: string; timeoutMs: number }> = [];
    const everyDown = { 'a:1': down, 'b:2': down };
    await expect(idempotent(() => caller.call(scriptedAttempt(everyDown, log)))).rejects.toThrow('DOWN');
    expect(log).toHaveLength(2); // one retry, then the budget is spent
    expect(await metrics.getSingleMetricAsString('loom_upstream_retry_budget_exhausted_total')).toContain(
      '{source="orders"} 1',
    );
    caller.close();
  });

  it('leases an endpoint for a call that cannot be repeated and records its end once', () => {
    const metrics = new Registry();
    const caller = callerOf({ outlierDetection: { consecutiveFailures: 1 } }, { metrics });
    const lease = caller.lease();
    expect(lease.endpoint).toBe('a:1');
    expect(caller.health()[0].outstanding).toBe(1);
    lease.finish(true);
    lease.finish(true);
    expect(caller.health()[0]).toMatchObject({ outstanding: 0, ejected: true });
    expect(caller.lease().endpoint).toBe('b:2');
    caller.close();
  });
});

describe('classifyGrpcError', () => {
  const verdictOf = (code: number) => classifyGrpcError(Object.assign(new Error('x'), { code }));

  it('counts only connection-level statuses against the endpoint, and retries only UNAVAILABLE', () => {
    expect(verdictOf(GrpcStatus.UNAVAILABLE)).toEqual({ failed: true, retryable: true, reason: 'UNAVAILABLE' });
    expect(verdictOf(GrpcStatus.DEADLINE_EXCEEDED)).toEqual({
      failed: true,
      retryable: false,
      timedOut: true,
      reason: 'DEADLINE_EXCEEDED',
    });
    expect(verdictOf(GrpcStatus.RESOURCE_EXHAUSTED)).toEqual({
      failed: true,
      retryable: false,
      timedOut: false,
      reason: 'RESOURCE_EXHAUSTED',
    });
    for (const code of [
      GrpcStatus.NOT_FOUND,
      GrpcStatus.INVALID_ARGUMENT,
      GrpcStatus.FAILED_PRECONDITION,
      GrpcStatus.PERMISSION_DENIED,
      GrpcStatus.ALREADY_EXISTS,
      GrpcStatus.CANCELLED,
    ]) {
      expect(verdictOf(code)).toEqual({ failed: false, retryable: false });
    }
    expect(classifyGrpcError(new Error('cannot serialize'))).toEqual({ failed: false, retryable: false });
  });
});
