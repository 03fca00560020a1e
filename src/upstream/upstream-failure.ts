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
/** undici's HTTP parser refused the answer (`HPE_*`): the endpoint did not speak HTTP. */
export const isHttpParserError = (code: string | undefined) => code !== undefined && code.startsWith('HPE_');
export const isRetryableStatus = (status: number) => RETRYABLE_STATUSES.has(status);
/** Statuses that count against an endpoint's health (breaker, outlier ejection) when nothing else is known. 4xx are the caller's fault. */
export const isFailureStatus = (status: number) => status >= 500;

/** What an HTTP source speaks: it decides which 5xx answers are still answers. */
export type UpstreamProtocol = 'http' | 'rest' | 'soap' | 'graphql';

const SOAP_BODY_TAG = /<(?:[\w.-]+:)?Body(?:\s[^<>]{0,2000})?>/;
const SOAP_ENVELOPE_TAG = /<(?:[\w.-]+:)?Envelope[\s>]/;
const SOAP_FAULT_TAG = /^\s*<(?:[\w.-]+:)?Fault[\s>/]/;
/** A fault envelope is small: only its head is inspected, which bounds the work on a hostile 5xx body. */
const SOAP_HEAD_CHARS = 65_536;

/** A SOAP 1.1/1.2 envelope whose Body starts with a Fault, whatever the prefixes. */
function isSoapFaultEnvelope(body: Buffer): boolean {
  const head = body.subarray(0, SOAP_HEAD_CHARS).toString('utf8');
  const bodyTag = SOAP_BODY_TAG.exec(head);
  if (!bodyTag || !SOAP_ENVELOPE_TAG.test(head.slice(0, bodyTag.index))) return false;
  const afterBody = bodyTag.index + bodyTag[0].length;
  return SOAP_FAULT_TAG.test(head.slice(afterBody, afterBody + 1000));
}

function parsesAsJsonObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(body.toString('utf8')) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The one definition, per protocol, of an HTTP answer that is a failure of the
 * endpoint (it counts toward breakers and outlier ejection; 502/503/504 are
 * also retried). For every protocol, 502/503/504 are failures (a proxy or the
 * server could not serve) and statuses below 500 never are (the caller's
 * request, answered). Another 5xx is an answer when its body shows the
 * backend ran and said why:
 * - rest: a JSON object (an error body);
 * - soap: a SOAP envelope whose Body is a Fault (SOAP 1.1 sends every fault on 500);
 * - graphql: a GraphQL response (`data` or `errors`);
 * - http: never; every 5xx is a failure.
 * Crash pages, empty bodies and other 5xx are failures.
 */
export function isFailureAnswer(protocol: UpstreamProtocol, status: number, body: Buffer | undefined): boolean {
  if (!isFailureStatus(status)) return false;
  if (isRetryableStatus(status) || protocol === 'http' || !body?.length) return true;
  if (protocol === 'soap') return !isSoapFaultEnvelope(body);
  const json = parsesAsJsonObject(body);
  if (protocol === 'graphql') return !(json && ('data' in json || 'errors' in json));
  return json === undefined;
}

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
export function classifyAttempt(
  result:
    | { status: number; protocol?: UpstreamProtocol; body?: Buffer }
    | { error: unknown; timedOut: boolean; midBody?: boolean },
): AttemptOutcome {
  if ('status' in result) {
    if (!isFailureAnswer(result.protocol ?? 'http', result.status, result.body)) return { kind: 'ok' };
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
