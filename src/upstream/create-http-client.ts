import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';
import type { Registry } from 'prom-client';
import { upstreamBadResponse, upstreamRequestInvalid, upstreamResponseTooLarge, upstreamTimeout, upstreamUnavailable } from '../core/errors';
import { injectTraceHeaders } from '../observability/inject-trace-headers';
import { recordUpstreamRetry } from '../observability/record-upstream-retry';
import type { Logger } from '../core/logger';
import { backoffDelayMs, timerSleep, type Sleep } from './backoff-delay';
import { CIRCUIT_STATE_VALUE } from './circuit-breaker';
import { createEndpointPool, type EndpointHealth, type EndpointPool, type UpstreamEndpoint } from './endpoint-pool';
import { createRetryBudget } from './retry-budget';
import { createShadowMirror, type ShadowMirror, type ShadowResult } from './shadow-traffic';
import { currentUpstreamCall } from './upstream-call-context';
import { classifyAttempt, isEndpointFailure, isHttpParserError, isNeutralOutcome, type AttemptOutcome, type UpstreamProtocol } from './upstream-failure';
import { registerUpstreamHealth } from './upstream-health-board';
import { endpointLabel, getResilienceMetrics } from './upstream-metrics';
import { resolveUpstreamPolicy, type UpstreamPolicyOptions } from './upstream-policy-options';
import { isUndiciTimeout, plainHeaders, readLimitedBody, RequestResponse, ResponseTooLargeError } from './request-as-response';

export interface HttpClientOptions {
  /** Source name, for errors, metrics and logs. */
  source: string;
  /** Timeout of one attempt, body included, in milliseconds. @default 10000 */
  timeoutMs?: number;
  /**
   * What the source speaks, which decides the 5xx answers that are still
   * answers (a SOAP fault on 500, a REST error body) and never count against
   * the endpoint; see isFailureAnswer. @default 'http' (every 5xx is a failure)
   */
  protocol?: UpstreamProtocol;
  /** Largest answer body read, in bytes; past it the call fails with UPSTREAM_RESPONSE_TOO_LARGE. @default 10485760 (10 MB) */
  maxResponseBytes?: number;
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

/** Default of `maxResponseBytes`: 10 MB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

export interface HttpClient {
  fetch: UpstreamFetch;
  /** Endpoint health (breaker state, ejection, calls in flight) of the configured endpoints. */
  health(): EndpointHealth[];
  close(): Promise<void>;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** Characters a request target may not carry raw; WHATWG URL would percent-encode them too. */
const UNSAFE_TARGET_CHARS = /[^\x21-\x7e]/gu;

/**
 * The request target (path and query) of an absolute URL, as written. Not
 * `new URL(url).pathname`: the WHATWG parser resolves `..`, `%2E%2E` and `.`
 * segments, so an encoded path argument would still reach another route.
 * The fragment is never sent.
 */
export function requestTargetOf(url: string): string {
  const authorityStart = url.indexOf('//') + 2;
  const pathStart = url.slice(authorityStart).search(/[/?#]/);
  let target = pathStart === -1 ? '/' : url.slice(authorityStart + pathStart);
  const hash = target.indexOf('#');
  if (hash !== -1) target = target.slice(0, hash);
  if (!target.startsWith('/')) target = `/${target}`;
  return target.replace(UNSAFE_TARGET_CHARS, (char) => encodeURIComponent(char));
}

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
  const { source, protocol = 'http', timeoutMs = 10_000, maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES, sleep = timerSleep, random = Math.random, now = Date.now } = options;
  const policy = resolveUpstreamPolicy(`source "${source}"`, options.upstream);
  const maxConnections = options.maxConnections ?? policy.maxConnections;
  const bases = (Array.isArray(options.endpoints) ? options.endpoints : options.endpoints ? [options.endpoints] : []).map(trimSlash) as string[];
  const metrics = options.metrics && getResilienceMetrics(options.metrics);
  const agent = new Agent({ connections: maxConnections, keepAliveTimeout: 30_000, pipelining: 1 });
  const closing = new AbortController();
  // One controller per attempt in flight, aborted on close (cheaper than AbortSignal.any per call).
  const inFlight = new Set<AbortController>();
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

  /**
   * One attempt on one endpoint, body included: the answer is read whole (up
   * to maxResponseBytes) before the attempt ends, so `attemptTimeoutMs` bounds
   * headers and body together, not the gaps between bytes. Never throws: the
   * outcome says what happened.
   */
  const attempt = async (url: string, init: RequestInit, attemptTimeoutMs: number) => {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, attemptTimeoutMs);
    const abortFromCaller = () => controller.abort();
    init.signal?.addEventListener('abort', abortFromCaller, { once: true });
    if (init.signal?.aborted || closing.signal.aborted) controller.abort();
    inFlight.add(controller);
    let status: number | undefined;
    try {
      const headers = plainHeaders(injectTraceHeaders(init.headers)); // W3C traceparent of the active upstream span
      const data = await agent.request({
        origin: new URL(url).origin,
        path: requestTargetOf(url),
        method: (init.method ?? 'GET').toUpperCase() as 'GET',
        headers,
        body: init.body as string | Buffer | undefined,
        signal: controller.signal,
        headersTimeout: attemptTimeoutMs,
        bodyTimeout: attemptTimeoutMs,
      });
      status = data.statusCode;
      const body = await readLimitedBody(data, maxResponseBytes);
      const response = new RequestResponse(data.statusCode, data.headers, body) as unknown as Response;
      return { response, status, outcome: classifyAttempt({ status: data.statusCode, protocol, body }) };
    } catch (error) {
      if (error instanceof ResponseTooLargeError) return { error, status, outcome: { kind: 'too-large' } as AttemptOutcome };
      return { error, status, outcome: classifyAttempt({ error, timedOut: timedOut || isUndiciTimeout(error), midBody: status !== undefined }) };
    } finally {
      clearTimeout(timer);
      init.signal?.removeEventListener('abort', abortFromCaller);
      inFlight.delete(controller);
    }
  };

  const errorFor = (outcome: AttemptOutcome, error: unknown, limitMs: number, status: number | undefined) => {
    if (outcome.kind === 'timeout') return upstreamTimeout(source, limitMs);
    if (outcome.kind === 'too-large') return upstreamResponseTooLarge(source, maxResponseBytes, status);
    if (outcome.kind === 'local') return upstreamRequestInvalid(source, (error as Error)?.message ?? outcome.code, error);
    if (outcome.kind === 'network' && outcome.midBody) return upstreamBadResponse(source, 'the connection broke while the body was read', status);
    if (outcome.kind === 'network' && isHttpParserError(outcome.code)) return upstreamBadResponse(source, 'the answer is not valid HTTP', status);
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
      if (isNeutralOutcome(outcome)) pool.release(endpoint);
      else pool.finish(endpoint, isEndpointFailure(outcome));
      if (outcome.kind === 'ok') return result.response!;
      if (outcome.kind === 'too-large' || outcome.kind === 'local' || outcome.kind === 'aborted') throw errorFor(outcome, result.error, limitMs, result.status);
      const safe = idempotent || (outcome.kind === 'network' && outcome.notSent);
      const retryable = outcome.kind !== 'timeout' && outcome.retryable && safe && !closing.signal.aborted;
      const mayRetry = retryable && retryIndex < policy.retry.maxRetries;
      if (mayRetry && budget.tryAcquireRetry()) {
        metrics?.retries.inc({ source });
        const reason = outcome.kind === 'http-failure' ? String(outcome.status) : (outcome.code ?? 'network');
        recordUpstreamRetry({ 'loom.retry.endpoint': endpointLabel(endpoint.url), 'loom.retry.reason': reason });
        await sleep(backoffDelayMs(retryIndex, policy.retry.baseDelayMs, policy.retry.maxDelayMs, random), closing.signal);
        continue;
      }
      if (mayRetry) metrics?.retriesDenied.inc({ source });
      if (result.response) return result.response;
      throw errorFor(outcome, result.error, limitMs, result.status);
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
      for (const controller of inFlight) controller.abort();
      await shadow?.close();
      await agent.close();
    },
  };
}
