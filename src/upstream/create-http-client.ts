import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';
import type { Registry } from 'prom-client';
import { upstreamTimeout, upstreamUnavailable } from '../core/errors';
import { injectTraceHeaders } from '../observability/inject-trace-headers';
import { recordUpstreamRetry } from '../observability/record-upstream-retry';
import type { Logger } from '../core/logger';
import { backoffDelayMs, timerSleep, type Sleep } from './backoff-delay';
import { CIRCUIT_STATE_VALUE } from './circuit-breaker';
import { createEndpointPool, type EndpointHealth, type EndpointPool, type UpstreamEndpoint } from './endpoint-pool';
import { createRetryBudget } from './retry-budget';
import { createShadowMirror, type ShadowMirror, type ShadowResult } from './shadow-traffic';
import { currentUpstreamCall } from './upstream-call-context';
import { classifyAttempt, type AttemptOutcome } from './upstream-failure';
import { registerUpstreamHealth } from './upstream-health-board';
import { endpointLabel, getResilienceMetrics } from './upstream-metrics';
import { resolveUpstreamPolicy, type UpstreamPolicyOptions } from './upstream-policy-options';
import { isUndiciTimeout, plainHeaders, RequestResponse } from './request-as-response';

export interface HttpClientOptions {
  /** Source name, for errors, metrics and logs. */
  source: string;
  /** Timeout of one attempt, in milliseconds. @default 10000 */
  timeoutMs?: number;
  /** Connections kept open per endpoint. @default upstream.maxConnections ?? 64 */
  maxConnections?: number;
  /**
   * The source's endpoints (base URLs). A call to a URL under any of them is
   * sent to the endpoint the pool picks (the base is swapped), so handlers can
   * build URLs on the first endpoint. Calls to other URLs go where they point,
   * with the same policies. @default []
   */
  endpoints?: string | readonly string[];
  /** Retries, breaker, load balancing, backup, shadow (see UpstreamPolicyOptions). Validated here. */
  upstream?: UpstreamPolicyOptions;
  /** The gateway registry for breaker, retry and shadow metrics; none when absent. */
  metrics?: Registry;
  logger?: Logger;
  /** Test seams: the backoff sleep, the jitter/sampling random source and the clock. */
  sleep?: Sleep;
  random?: () => number;
  now?: () => number;
  /** Called with every shadow comparison (tests, custom reporting). */
  onShadowResult?: (result: ShadowResult) => void;
}

/** A fetch bound to one source: keep-alive pool, timeout and typed network errors. */
export type UpstreamFetch = (url: string, init?: RequestInit) => Promise<Response>;

export interface HttpClient {
  fetch: UpstreamFetch;
  /** Endpoint health (breaker state, ejection, calls in flight) of the configured endpoints. */
  health(): EndpointHealth[];
  close(): Promise<void>;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** The configured base `url` lies under, and the rest of it. */
function splitOnBase(url: string, bases: readonly string[]): { base: string; rest: string } | undefined {
  for (const base of bases) {
    if (url === base || url.startsWith(`${base}/`) || url.startsWith(`${base}?`)) return { base, rest: url.slice(base.length) };
  }
  return undefined;
}

/**
 * The HTTP transport of REST, SOAP and GraphQL sources. Per call, in order:
 * pick an endpoint (load balancing, passive health, breaker, backup), run one
 * attempt under the tighter of the attempt timeout and the call's deadline,
 * then retry retryable failures of idempotent calls on the next endpoint with
 * backoff, within the retry budget. A share of calls is mirrored to the
 * shadow endpoint. The breaker refusing every endpoint fails fast with
 * UPSTREAM_UNAVAILABLE and no upstream call.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { source, timeoutMs = 10_000, sleep = timerSleep, random = Math.random, now = Date.now } = options;
  const policy = resolveUpstreamPolicy(`source "${source}"`, options.upstream);
  const maxConnections = options.maxConnections ?? policy.maxConnections;
  const bases = (Array.isArray(options.endpoints) ? options.endpoints : options.endpoints ? [options.endpoints] : []).map(trimSlash) as string[];
  const metrics = options.metrics && getResilienceMetrics(options.metrics);
  const agent = new Agent({ connections: maxConnections, keepAliveTimeout: 30_000, pipelining: 1 });
  const closing = new AbortController();
  const budget = createRetryBudget(policy.retry, now);

  const createPool = (endpoints: string[]) => {
    for (const endpoint of endpoints) metrics?.circuitState.set({ source, endpoint: endpointLabel(endpoint) }, 0);
    return createEndpointPool({
      endpoints,
      backupEndpoint: endpoints === bases && policy.backupEndpoint ? trimSlash(policy.backupEndpoint) : undefined,
      loadBalancing: policy.loadBalancing,
      circuitBreaker: policy.circuitBreaker,
      outlierDetection: policy.outlierDetection,
      now,
      onCircuitStateChange: (endpoint, state) => {
        metrics?.circuitState.set({ source, endpoint: endpointLabel(endpoint) }, CIRCUIT_STATE_VALUE[state]);
        options.logger?.warn({ source, endpoint: endpointLabel(endpoint), state }, 'upstream circuit breaker changed state');
      },
      onEjection: (endpoint) => {
        metrics?.ejections.inc({ source, endpoint: endpointLabel(endpoint) });
        options.logger?.warn({ source, endpoint: endpointLabel(endpoint) }, 'upstream endpoint ejected after consecutive failures');
      },
    });
  };
  const mainPool = bases.length ? createPool(bases) : undefined;
  if (mainPool && policy.backupEndpoint) metrics?.circuitState.set({ source, endpoint: endpointLabel(policy.backupEndpoint) }, 0);
  // URLs outside the configured endpoints (e.g. a spec's own servers) get a one-endpoint pool per origin.
  const originPools = new Map<string, EndpointPool>();
  const route = (url: string): { pool: EndpointPool; rest: string } => {
    const split = mainPool && splitOnBase(url, bases);
    if (mainPool && split) return { pool: mainPool, rest: split.rest };
    const origin = new URL(url).origin;
    let pool = originPools.get(origin);
    if (!pool) originPools.set(origin, (pool = createPool([origin])));
    return { pool, rest: url.slice(origin.length) };
  };

  const shadow: ShadowMirror | undefined =
    policy.shadow &&
    createShadowMirror({
      shadow: policy.shadow,
      random,
      fetch: (url, init) => undiciFetch(url, { ...(init as UndiciRequestInit), dispatcher: agent }) as unknown as Promise<Response>,
      onResult: (result) => {
        metrics?.shadowRequests.inc({ source, result: result.result });
        if (result.result === 'mismatch') {
          metrics?.shadowMismatches.inc({ source });
          options.logger?.warn({ source, differences: result.differences, primaryStatus: result.primary?.status, shadowStatus: result.shadow?.status }, 'shadow answer differs from primary');
        }
        options.onShadowResult?.(result);
      },
    });

  /** One attempt on one endpoint; never throws: the outcome says what happened. */
  const attempt = async (url: string, init: RequestInit, attemptTimeoutMs: number) => {
    // undici's own headers/body timeouts bound the attempt: no AbortSignal per call.
    const signal = init.signal ? AbortSignal.any([init.signal, closing.signal]) : closing.signal;
    try {
      const headers = plainHeaders(injectTraceHeaders(init.headers)); // W3C traceparent of the active upstream span
      const target = new URL(url);
      const data = await agent.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: (init.method ?? 'GET').toUpperCase() as 'GET',
        headers,
        body: init.body as string | Buffer | undefined,
        signal,
        headersTimeout: attemptTimeoutMs,
        bodyTimeout: attemptTimeoutMs,
      });
      const response = new RequestResponse(data) as unknown as Response;
      return { response, outcome: classifyAttempt({ status: response.status }) };
    } catch (error) {
      return { error, outcome: classifyAttempt({ error, timedOut: isUndiciTimeout(error) }) };
    }
  };

  const errorFor = (outcome: AttemptOutcome, error: unknown, limitMs: number) => {
    if (outcome.kind === 'timeout') return upstreamTimeout(source, limitMs);
    const reason = outcome.kind === 'network' && outcome.code ? outcome.code : ((error as Error)?.message ?? 'request failed');
    return upstreamUnavailable(source, reason, error);
  };

  const isIdempotent = (init: RequestInit) => {
    if (policy.retry.retryNonIdempotent) return true;
    const hint = currentUpstreamCall()?.idempotent;
    return hint ?? policy.retry.idempotentMethods.has((init.method ?? 'GET').toUpperCase());
  };

  const call = async (url: string, init: RequestInit, pool: EndpointPool, rest: string): Promise<Response> => {
    const deadline = currentUpstreamCall();
    const idempotent = isIdempotent(init);
    const tried = new Set<UpstreamEndpoint>();
    budget.recordRequest();
    for (let retryIndex = 0; ; retryIndex++) {
      const remainingMs = deadline?.deadlineAt === undefined ? Infinity : deadline.deadlineAt - now();
      const limitMs = remainingMs < timeoutMs ? (deadline?.deadlineMs ?? timeoutMs) : timeoutMs;
      if (remainingMs <= 0) throw upstreamTimeout(source, limitMs);
      const endpoint = pool.pick(tried);
      if (!endpoint) throw upstreamUnavailable(source, 'circuit breaker open');
      tried.add(endpoint);
      pool.start(endpoint);
      const result = await attempt(endpoint.url + rest, init, Math.min(timeoutMs, remainingMs));
      const { outcome } = result;
      pool.finish(endpoint, outcome.kind !== 'ok');
      if (outcome.kind === 'ok') return result.response!;
      const safe = idempotent || (outcome.kind === 'network' && outcome.notSent);
      const retryable = outcome.kind !== 'timeout' && outcome.retryable && safe && !closing.signal.aborted;
      const mayRetry = retryable && retryIndex < policy.retry.maxRetries;
      if (mayRetry && budget.tryAcquireRetry()) {
        metrics?.retries.inc({ source });
        const reason = outcome.kind === 'http-failure' ? String(outcome.status) : (outcome.code ?? 'network');
        recordUpstreamRetry({ 'loom.retry.endpoint': endpointLabel(endpoint.url), 'loom.retry.reason': reason });
        await result.response?.body?.cancel().catch(() => undefined); // free the connection
        await sleep(backoffDelayMs(retryIndex, policy.retry.baseDelayMs, policy.retry.maxDelayMs, random), closing.signal);
        continue;
      }
      if (mayRetry) metrics?.retriesDenied.inc({ source });
      if (result.response) return result.response;
      throw errorFor(outcome, result.error, limitMs);
    }
  };

  const fetch: UpstreamFetch = async (url, init = {}) => {
    const { pool, rest } = route(url);
    if (!shadow) return call(url, init, pool, rest);
    let settlePrimary!: (response: Response | undefined) => void;
    shadow.mirror(trimSlash(policy.shadow!.endpoint) + rest, init, new Promise((resolve) => (settlePrimary = resolve)));
    try {
      const response = await call(url, init, pool, rest);
      settlePrimary(response.clone());
      return response;
    } catch (error) {
      settlePrimary(undefined);
      throw error;
    }
  };

  const health = () => mainPool?.health() ?? [];
  const unregister = options.metrics ? registerUpstreamHealth(options.metrics, source, health) : () => undefined;
  return {
    fetch,
    health,
    // Idempotent: handlers and tests may both close the client.
    close: async () => {
      if (closing.signal.aborted) return;
      unregister();
      closing.abort();
      await shadow?.close();
      await agent.close();
    },
  };
}
