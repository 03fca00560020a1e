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
  | { kind: 'network'; code: string | undefined; retryable: boolean; notSent: boolean }
  | { kind: 'timeout' };

/** Classifies an attempt: a response status, or the error it threw (`timedOut` when our own timer fired). */
export function classifyAttempt(result: { status: number } | { error: unknown; timedOut: boolean }): AttemptOutcome {
  if ('status' in result) {
    if (!isFailureStatus(result.status)) return { kind: 'ok' };
    return { kind: 'http-failure', status: result.status, retryable: isRetryableStatus(result.status) };
  }
  if (result.timedOut) return { kind: 'timeout' };
  const code = networkCodeOf(result.error);
  return { kind: 'network', code, retryable: isConnectionError(code), notSent: isNotSentError(code) };
}
