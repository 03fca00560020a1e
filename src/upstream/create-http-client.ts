import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';
import type { Registry } from 'prom-client';
import {
  upstreamBadResponse,
  upstreamRequestInvalid,
  upstreamResponseTooLarge,
  upstreamTimeout,
  upstreamUnavailable,
} from '../core/errors';
import { injectTraceHeaders } from '../observability/inject-trace-headers';
import type { Logger } from '../core/logger';
import { timerSleep, type Sleep } from './backoff-delay';
import type { EndpointHealth } from './endpoint-pool';
import {
  createEndpointCaller,
  type AttemptVerdict,
  type EndpointAttempt,
  type EndpointCaller,
} from './create-endpoint-caller';
import { createShadowMirror, type ShadowMirror, type ShadowResult } from './shadow-traffic';
import { classifyAttempt, isHttpParserError, type AttemptOutcome, type UpstreamProtocol } from './upstream-failure';
import { endpointLabel, getResilienceMetrics } from './upstream-metrics';
import type { UpstreamCredentials } from './credentials/create-upstream-credentials';
import { resolveUpstreamPolicy, type UpstreamPolicyOptions } from './upstream-policy-options';
import {
  AttemptTimeoutError,
  isUndiciTimeout,
  plainHeaders,
  readLimitedBody,
  RequestResponse,
  ResponseTooLargeError,
} from './request-as-response';

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
  /** How Loom authenticates to this source: headers per attempt (bearer, OAuth2, HMAC) and the client certificate. */
  credentials?: UpstreamCredentials;
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

/** Origins by scheme and authority: a source calls few, and new URL() per call showed in profiles. */
const knownOrigins = new Map<string, string>();

/** An http(s) scheme and authority whose parse cannot depend on what follows (no spaces, tabs or controls, which the URL parser strips). */
// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const PLAIN_AUTHORITY = /^https?:\/\/[^\s\x00-\x1f\x7f]*$/i;

/** `new URL(url).origin`, remembered per scheme and authority. */
export function originOf(url: string): string {
  const slashes = url.indexOf('//');
  const authorityEnd = slashes === -1 ? -1 : url.slice(slashes + 2).search(/[/?#\\]/);
  const prefix = authorityEnd === -1 ? url : url.slice(0, slashes + 2 + authorityEnd);
  if (slashes === -1 || !PLAIN_AUTHORITY.test(prefix)) return new URL(url).origin;
  let origin = knownOrigins.get(prefix);
  if (origin === undefined) {
    if (knownOrigins.size >= 256) knownOrigins.clear();
    knownOrigins.set(prefix, (origin = new URL(url).origin));
  }
  return origin;
}

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
    if (url === base || url.startsWith(`${base}/`) || url.startsWith(`${base}?`))
      return { base, rest: url.slice(base.length) };
  }
  return undefined;
}

/**
 * The HTTP transport of REST, SOAP and GraphQL sources, on the same endpoint
 * caller as gRPC (create-endpoint-caller.ts): it picks an endpoint (load
 * balancing, passive health, breaker, backup), runs one attempt here under the
 * tighter of the attempt timeout and the call's deadline, and retries
 * retryable failures of idempotent calls on the next endpoint with backoff,
 * within the retry budget. This file adds what is HTTP's own: undici, the
 * whole-attempt timer, the body size limit, what an HTTP outcome means
 * (upstream-failure.ts) and shadowing of HTTP requests.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const {
    source,
    protocol = 'http',
    timeoutMs = 10_000,
    maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES,
    sleep = timerSleep,
    random = Math.random,
    now = Date.now,
  } = options;
  const policy = resolveUpstreamPolicy(`source "${source}"`, options.upstream);
  const maxConnections = options.maxConnections ?? policy.maxConnections;
  const bases = (
    Array.isArray(options.endpoints) ? options.endpoints : options.endpoints ? [options.endpoints] : []
  ).map(trimSlash) as string[];
  const metrics = options.metrics && getResilienceMetrics(options.metrics);
  const { credentials } = options;
  const agent = new Agent({
    connections: maxConnections,
    keepAliveTimeout: 30_000,
    pipelining: 1,
    // mTLS: the client certificate is offered on every connection of this source.
    ...(credentials?.tls && { connect: { ...credentials.tls } }),
  });
  const closing = new AbortController();
  // Backup URLs are swapped in for a base like the endpoints: no trailing slash either.
  const callerPolicy = { ...policy, backupEndpoint: policy.backupEndpoint && trimSlash(policy.backupEndpoint) };
  const createCaller = (endpoints: string[], healthBoard: boolean) =>
    createEndpointCaller({
      source,
      endpoints,
      policy: healthBoard ? callerPolicy : { ...callerPolicy, backupEndpoint: undefined },
      timeoutMs,
      metrics: options.metrics,
      logger: options.logger,
      label: endpointLabel,
      healthBoard,
      sleep,
      random,
      now,
    });
  const mainCaller = bases.length ? createCaller(bases, true) : undefined;
  // URLs outside the configured endpoints (e.g. a spec's own servers) get a one-endpoint caller per origin, off the health board.
  const originCallers = new Map<string, EndpointCaller>();
  const route = (url: string): { caller: EndpointCaller; rest: string } => {
    const split = mainCaller && splitOnBase(url, bases);
    if (mainCaller && split) return { caller: mainCaller, rest: split.rest };
    const origin = new URL(url).origin;
    let caller = originCallers.get(origin);
    if (!caller) originCallers.set(origin, (caller = createCaller([origin], false)));
    return { caller, rest: url.slice(origin.length) };
  };

  const shadow: ShadowMirror | undefined =
    policy.shadow &&
    createShadowMirror({
      shadow: policy.shadow,
      random,
      fetch: (url, init) =>
        undiciFetch(url, { ...(init as UndiciRequestInit), dispatcher: agent }) as unknown as Promise<Response>,
      onResult: (result) => {
        metrics?.shadowRequests.inc({ source, result: result.result });
        if (result.result === 'mismatch') {
          metrics?.shadowMismatches.inc({ source });
          options.logger?.warn(
            {
              source,
              differences: result.differences,
              primaryStatus: result.primary?.status,
              shadowStatus: result.shadow?.status,
            },
            'shadow answer differs from primary',
          );
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
  const attempt = async (
    url: string,
    init: RequestInit,
    attemptTimeoutMs: number,
    authorization: Record<string, string> = {},
  ) => {
    // No AbortController per call (it costs more than the rest of the attempt): undici's headersTimeout
    // bounds the wait for the headers as a whole, and the body gets what is left of the attempt.
    const startedAt = performance.now();
    // No signal of our own per call (undici's listener on it costs more than the rest of the
    // attempt): close() destroys the agent, which fails every call still under way.
    const signal = init.signal ? AbortSignal.any([init.signal, closing.signal]) : undefined;
    let status: number | undefined;
    try {
      // W3C traceparent of the active upstream span; the source's credentials last, so no client header replaces them.
      const headers = { ...plainHeaders(injectTraceHeaders(init.headers)), ...authorization };
      const data = await agent.request({
        origin: originOf(url),
        path: requestTargetOf(url),
        method: (init.method ?? 'GET').toUpperCase() as 'GET',
        headers,
        body: init.body as string | Buffer | undefined,
        signal,
        headersTimeout: attemptTimeoutMs,
        bodyTimeout: attemptTimeoutMs,
      });
      status = data.statusCode;
      const body = await readLimitedBody(data, maxResponseBytes, attemptTimeoutMs - (performance.now() - startedAt));
      const response = new RequestResponse(data.statusCode, data.headers, body) as unknown as Response;
      return { response, status, outcome: classifyAttempt({ status: data.statusCode, protocol, body }) };
    } catch (error) {
      // Cut by close(): neither the source's failure nor worth a retry.
      if (closing.signal.aborted) return { error, status, outcome: { kind: 'aborted' } as AttemptOutcome };
      if (error instanceof ResponseTooLargeError)
        return { error, status, outcome: { kind: 'too-large' } as AttemptOutcome };
      return {
        error,
        status,
        outcome: classifyAttempt({
          error,
          timedOut: error instanceof AttemptTimeoutError || isUndiciTimeout(error),
          midBody: status !== undefined,
        }),
      };
    }
  };

  const errorFor = (outcome: AttemptOutcome, error: unknown, limitMs: number, status: number | undefined) => {
    if (outcome.kind === 'timeout') return upstreamTimeout(source, limitMs);
    if (outcome.kind === 'too-large') return upstreamResponseTooLarge(source, maxResponseBytes, status);
    if (outcome.kind === 'local')
      return upstreamRequestInvalid(source, (error as Error)?.message ?? outcome.code, error);
    if (outcome.kind === 'network' && outcome.midBody)
      return upstreamBadResponse(source, 'the connection broke while the body was read', status);
    if (outcome.kind === 'network' && isHttpParserError(outcome.code))
      return upstreamBadResponse(source, 'the answer is not valid HTTP', status);
    const reason =
      outcome.kind === 'network' && outcome.code ? outcome.code : ((error as Error)?.message ?? 'request failed');
    return upstreamUnavailable(source, reason, error);
  };

  /** What an HTTP attempt's outcome means to the endpoint caller (see upstream-failure.ts). */
  const verdictOf = (outcome: AttemptOutcome): AttemptVerdict | undefined => {
    switch (outcome.kind) {
      case 'ok':
        return undefined;
      case 'http-failure':
        return { failed: true, retryable: outcome.retryable, reason: String(outcome.status) };
      case 'network':
        return {
          failed: true,
          retryable: outcome.retryable,
          notSent: outcome.notSent,
          reason: outcome.code ?? 'network',
        };
      case 'timeout':
        return { failed: true, retryable: false, timedOut: true };
      case 'too-large':
        return { failed: false, retryable: false };
      case 'local':
      case 'aborted':
        return { failed: false, retryable: false, neutral: true };
    }
  };

  /** One call as the endpoint caller runs it: `rest` (path and query) on whichever endpoint it picks. */
  const httpAttempt = (rest: string, init: RequestInit): EndpointAttempt<Response> => {
    const outcomes = new WeakMap<object, AttemptOutcome>();
    return {
      idempotentWhenUnknown: policy.retry.idempotentMethods.has((init.method ?? 'GET').toUpperCase()),
      async run(endpoint, attemptTimeoutMs) {
        const url = endpoint + rest;
        let authorization: Record<string, string> | undefined;
        if (credentials) {
          try {
            authorization = await credentials.headersFor({
              method: (init.method ?? 'GET').toUpperCase(),
              target: requestTargetOf(url),
              body: init.body as string | Uint8Array | undefined,
            });
          } catch (error) {
            // No token to send: nothing went to the endpoint, so its health and the retries are not concerned.
            if (error instanceof Object) outcomes.set(error, { kind: 'local', code: 'CREDENTIALS' });
            throw error;
          }
        }
        const result = await attempt(url, init, attemptTimeoutMs, authorization);
        if (result.status === 401 && credentials && authorization) await credentials.rejected(authorization);
        if (result.response) {
          outcomes.set(result.response, result.outcome);
          return result.response;
        }
        const error = errorFor(result.outcome, result.error, attemptTimeoutMs, result.status);
        outcomes.set(error, result.outcome);
        throw error;
      },
      classifyAnswer: (response) => verdictOf(outcomes.get(response) ?? { kind: 'ok' }),
      classifyError: (error) =>
        verdictOf(
          (error instanceof Object && outcomes.get(error)) || {
            kind: 'network',
            code: undefined,
            retryable: false,
            notSent: false,
          },
        ) ?? { failed: false, retryable: false },
    };
  };

  const fetch: UpstreamFetch = async (url, init = {}) => {
    const { caller, rest } = route(url);
    if (!shadow) return caller.call(httpAttempt(rest, init));
    let settlePrimary!: (response: Response | undefined) => void;
    shadow.mirror(trimSlash(policy.shadow!.endpoint) + rest, init, new Promise((resolve) => (settlePrimary = resolve)));
    try {
      const response = await caller.call(httpAttempt(rest, init));
      settlePrimary(response.clone());
      return response;
    } catch (error) {
      settlePrimary(undefined);
      throw error;
    }
  };

  return {
    fetch,
    health: () => mainCaller?.health() ?? [],
    // Idempotent: handlers and tests may both close the client.
    close: async () => {
      if (closing.signal.aborted) return;
      mainCaller?.close();
      for (const caller of originCallers.values()) caller.close();
      closing.abort();
      await shadow?.close();
      await agent.destroy();
    },
  };
}
