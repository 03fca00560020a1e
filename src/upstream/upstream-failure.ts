/** Network error codes undici and node report for a connection that failed or broke. */
const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Codes that mean the request never reached the backend: safe to send elsewhere even when not idempotent. */
const NOT_SENT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Codes of errors raised while Loom built the request (a header value undici
 * refuses, a URL that does not parse): nothing was sent, so they say nothing
 * about the endpoint.
 */
const LOCAL_ERRORS = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_NOT_SUPPORTED',
  'ERR_INVALID_URL',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_INVALID_CHAR',
  'ERR_INVALID_HTTP_TOKEN',
]);

/** Codes of a call abandoned by our side (the client went away, the gateway is closing). */
const ABORT_ERRORS = new Set(['UND_ERR_ABORTED', 'ABORT_ERR']);

/** HTTP statuses worth retrying: the gateway or proxy in front of the backend could not serve it this time. */
const RETRYABLE_STATUSES = new Set([502, 503, 504]);

/** The first string `code` on an error or its `cause` chain (undici nests the socket error). */
export function networkCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const isConnectionError = (code: string | undefined) => code !== undefined && CONNECTION_ERRORS.has(code);
export const isNotSentError = (code: string | undefined) => code !== undefined && NOT_SENT_ERRORS.has(code);
export const isRetryableStatus = (status: number) => RETRYABLE_STATUSES.has(status);
/** Statuses that count against an endpoint's health (breaker, outlier ejection). 4xx are the caller's fault. */
export const isFailureStatus = (status: number) => status >= 500;

/** The outcome of one attempt, as the retry loop sees it. */
export type AttemptOutcome =
  | { kind: 'ok' }
  | { kind: 'http-failure'; status: number; retryable: boolean }
  /** The connection failed or broke; `midBody` when the status and headers had already arrived. */
  | { kind: 'network'; code: string | undefined; retryable: boolean; notSent: boolean; midBody?: true }
  | { kind: 'timeout' }
  /** The answer passed `maxResponseBytes`: the endpoint answered, just too much. */
  | { kind: 'too-large' }
  /** Loom could not build the request; nothing was sent. */
  | { kind: 'local'; code: string }
  /** Our side abandoned the call (caller gone, client closing). */
  | { kind: 'aborted' };

/**
 * Classifies an attempt: a response status, or the error it threw (`timedOut`
 * when our own timer fired, `midBody` when it broke after the headers).
 */
export function classifyAttempt(result: { status: number } | { error: unknown; timedOut: boolean; midBody?: boolean }): AttemptOutcome {
  if ('status' in result) {
    if (!isFailureStatus(result.status)) return { kind: 'ok' };
    return { kind: 'http-failure', status: result.status, retryable: isRetryableStatus(result.status) };
  }
  if (result.timedOut) return { kind: 'timeout' };
  const code = networkCodeOf(result.error);
  if (code !== undefined && LOCAL_ERRORS.has(code)) return { kind: 'local', code };
  if (code !== undefined && ABORT_ERRORS.has(code)) return { kind: 'aborted' };
  const outcome = { kind: 'network' as const, code, retryable: isConnectionError(code), notSent: isNotSentError(code) };
  return result.midBody ? { ...outcome, midBody: true } : outcome;
}

/**
 * Whether an outcome counts against the endpoint (breaker, outlier ejection):
 * failed connections, timeouts and failure statuses. Answers, too-large
 * answers, local request-building errors and our own aborts never do.
 */
export function isEndpointFailure(outcome: AttemptOutcome): boolean {
  return outcome.kind === 'http-failure' || outcome.kind === 'network' || outcome.kind === 'timeout';
}

/** Outcomes that say nothing about the endpoint at all: not a success either. */
export function isNeutralOutcome(outcome: AttemptOutcome): boolean {
  return outcome.kind === 'local' || outcome.kind === 'aborted';
}
