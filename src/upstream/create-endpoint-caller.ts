import type { Registry } from 'prom-client';
import { upstreamTimeout, upstreamUnavailable } from '../core/errors';
import type { Logger } from '../core/logger';
import { recordUpstreamRetry } from '../observability/record-upstream-retry';
import { backoffDelayMs, timerSleep, type Sleep } from './backoff-delay';
import { CIRCUIT_STATE_VALUE } from './circuit-breaker';
import { createEndpointPool, type EndpointHealth, type UpstreamEndpoint } from './endpoint-pool';
import { createRetryBudget } from './retry-budget';
import { currentUpstreamCall } from './upstream-call-context';
import { registerUpstreamHealth } from './upstream-health-board';
import { endpointLabel as urlLabel, getResilienceMetrics } from './upstream-metrics';
import type { ResolvedUpstreamPolicy } from './upstream-policy-options';

/** What one attempt's outcome means for the endpoint and for the retry loop. */
export interface AttemptVerdict {
  /** Counts against the endpoint's health (breaker window, consecutive failures for ejection). */
  failed: boolean;
  /** Worth repeating on another endpoint (idempotent calls only, unless `notSent`). */
  retryable: boolean;
  /** The call never reached the backend: safe to resend even when it is not idempotent. */
  notSent?: boolean;
  /** The attempt ran out of time. */
  timedOut?: boolean;
  /** Short reason for the retry span attribute, e.g. `UNAVAILABLE`. */
  reason?: string;
  /** Says nothing about the endpoint either way (a request Loom could not build, our own abort): not counted at all. */
  neutral?: boolean;
}

/** One transport call, as the caller needs to see it. */
export interface EndpointAttempt<Answer> {
  /** Runs one attempt against `endpoint` (as configured), bounded by `attemptTimeoutMs`. */
  run(endpoint: string, attemptTimeoutMs: number): Promise<Answer>;
  /** What a rejection of `run` means. */
  classifyError(error: unknown): AttemptVerdict;
  /** What a resolved answer means (an HTTP 503 is an answer that failed); ok when absent or undefined. */
  classifyAnswer?(answer: Answer): AttemptVerdict | undefined;
  /** Whether the call may be repeated when the upstream call context does not say. @default false */
  idempotentWhenUnknown?: boolean;
  /** Releases an answer that is dropped for a retry (e.g. cancels a response body). */
  discard?(answer: Answer): Promise<void> | void;
}

/** A call reserved on one endpoint without retries (streams): report its end once. */
export interface EndpointLease {
  readonly endpoint: string;
  finish(failed: boolean): void;
}

export interface EndpointCaller {
  /**
   * Picks an endpoint (balancing, breaker, ejection, backup), runs the attempt
   * under the tighter of `timeoutMs` and the call's deadline, and retries
   * retryable failures of idempotent calls on another endpoint with backoff,
   * within the retry budget. Throws UPSTREAM_UNAVAILABLE without calling when
   * every breaker is open; otherwise the last answer, or the last error of `run`.
   */
  call<Answer>(attempt: EndpointAttempt<Answer>): Promise<Answer>;
  /** One attempt's worth of the pool for a call that cannot be repeated; throws like `call` when every breaker is open. */
  lease(): EndpointLease;
  health(): EndpointHealth[];
  /** Stops retry sleeps and removes the source from the health board. */
  close(): void;
}

export interface EndpointCallerOptions {
  /** Source name, for errors, metrics and logs. */
  source: string;
  /** The source's endpoints, as the transport addresses them (base URLs, gRPC host:port). */
  endpoints: readonly string[];
  policy: ResolvedUpstreamPolicy;
  /** Timeout of one attempt, in milliseconds. */
  timeoutMs: number;
  /** The gateway registry for breaker, ejection and retry metrics, and the health board; none when absent. */
  metrics?: Registry;
  logger?: Logger;
  /** How an endpoint appears in metric labels and logs. @default URL without credentials or query */
  label?: (endpoint: string) => string;
  /** Show these endpoints on the health board (/readyz) under the source's name. @default true */
  healthBoard?: boolean;
  /** Test seams: the backoff sleep, the jitter source and the clock. */
  sleep?: Sleep;
  random?: () => number;
  now?: () => number;
}

/**
 * The transport-neutral half of an upstream client: the endpoint pool with
 * its per-endpoint breakers and outlier ejection, the retry loop and budget,
 * their metrics and the health board. The transport (HTTP, gRPC) only runs one
 * attempt on the endpoint it is given and says what an outcome means.
 */
export function createEndpointCaller(options: EndpointCallerOptions): EndpointCaller {
  const {
    source,
    policy,
    timeoutMs,
    sleep = timerSleep,
    random = Math.random,
    now = Date.now,
    label = urlLabel,
  } = options;
  const metrics = options.metrics && getResilienceMetrics(options.metrics);
  const closing = new AbortController();
  const budget = createRetryBudget(policy.retry, now);
  const pool = createEndpointPool({
    endpoints: options.endpoints,
    backupEndpoint: policy.backupEndpoint,
    loadBalancing: policy.loadBalancing,
    circuitBreaker: policy.circuitBreaker,
    outlierDetection: policy.outlierDetection,
    now,
    onCircuitStateChange: (endpoint, state) => {
      metrics?.circuitState.set({ source, endpoint: label(endpoint) }, CIRCUIT_STATE_VALUE[state]);
      options.logger?.warn({ source, endpoint: label(endpoint), state }, 'upstream circuit breaker changed state');
    },
    onEjection: (endpoint) => {
      metrics?.ejections.inc({ source, endpoint: label(endpoint) });
      options.logger?.warn(
        { source, endpoint: label(endpoint) },
        'upstream endpoint ejected after consecutive failures',
      );
    },
  });
  for (const endpoint of pool.endpoints) metrics?.circuitState.set({ source, endpoint: label(endpoint.url) }, 0);

  const pick = (tried?: ReadonlySet<UpstreamEndpoint>) => {
    const endpoint = pool.pick(tried);
    if (!endpoint) throw upstreamUnavailable(source, 'circuit breaker open');
    pool.start(endpoint);
    return endpoint;
  };

  const isIdempotent = (attempt: EndpointAttempt<unknown>) =>
    policy.retry.retryNonIdempotent || (currentUpstreamCall()?.idempotent ?? attempt.idempotentWhenUnknown ?? false);

  /** One attempt; never throws: the verdict says what happened. */
  const runOnce = async <Answer>(attempt: EndpointAttempt<Answer>, endpoint: string, attemptTimeoutMs: number) => {
    try {
      const answer = await attempt.run(endpoint, attemptTimeoutMs);
      return { answer, verdict: attempt.classifyAnswer?.(answer) ?? { failed: false, retryable: false } };
    } catch (error) {
      return { error, verdict: attempt.classifyError(error) };
    }
  };

  const call = async <Answer>(attempt: EndpointAttempt<Answer>): Promise<Answer> => {
    const deadline = currentUpstreamCall();
    const idempotent = isIdempotent(attempt as EndpointAttempt<unknown>);
    const tried = new Set<UpstreamEndpoint>();
    budget.recordRequest();
    for (let retryIndex = 0; ; retryIndex++) {
      const remainingMs = deadline?.deadlineAt === undefined ? Infinity : deadline.deadlineAt - now();
      const deadlineBound = remainingMs < timeoutMs;
      if (remainingMs <= 0) throw upstreamTimeout(source, deadline?.deadlineMs ?? timeoutMs);
      const endpoint = pick(tried);
      tried.add(endpoint);
      const result = await runOnce(attempt, endpoint.url, Math.min(timeoutMs, remainingMs));
      const { verdict } = result;
      if (verdict.neutral) pool.release(endpoint);
      else pool.finish(endpoint, verdict.failed);
      if (!verdict.failed && !verdict.retryable) {
        if ('answer' in result) return result.answer as Answer;
        throw result.error;
      }
      const safe = idempotent || verdict.notSent === true;
      const mayRetry =
        verdict.retryable &&
        !verdict.timedOut &&
        safe &&
        !closing.signal.aborted &&
        retryIndex < policy.retry.maxRetries;
      if (mayRetry && budget.tryAcquireRetry()) {
        metrics?.retries.inc({ source });
        recordUpstreamRetry({
          'loom.retry.endpoint': label(endpoint.url),
          'loom.retry.reason': verdict.reason ?? 'failure',
        });
        if ('answer' in result) await attempt.discard?.(result.answer as Answer);
        await sleep(
          backoffDelayMs(retryIndex, policy.retry.baseDelayMs, policy.retry.maxDelayMs, random),
          closing.signal,
        );
        continue;
      }
      if (mayRetry) metrics?.retriesDenied.inc({ source });
      if ('answer' in result) return result.answer as Answer;
      // The call's deadline, not the endpoint's slowness, cut this attempt short: say which limit it was.
      if (verdict.timedOut && deadlineBound) throw upstreamTimeout(source, deadline?.deadlineMs ?? timeoutMs);
      throw result.error;
    }
  };

  const lease = (): EndpointLease => {
    const endpoint = pick();
    let finished = false;
    return {
      endpoint: endpoint.url,
      finish(failed) {
        if (finished) return;
        finished = true;
        pool.finish(endpoint, failed);
      },
    };
  };

  const health = () => pool.health().map((entry) => ({ ...entry, endpoint: label(entry.endpoint) }));
  const unregister =
    options.metrics && options.healthBoard !== false
      ? registerUpstreamHealth(options.metrics, source, health)
      : () => undefined;
  return {
    call,
    lease,
    health,
    close() {
      if (closing.signal.aborted) return;
      closing.abort();
      unregister();
    },
  };
}
