import { GraphQLError } from 'graphql';

/**
 * The one catalogue of Loom's error codes. Every expected failure is created
 * here, with its `extensions.code`, the source it came from, the upstream
 * status and the HTTP status Yoga should answer with (`http.status`).
 */
export type LoomErrorCode =
  | 'UPSTREAM_HTTP_ERROR'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_BAD_RESPONSE'
  | 'UPSTREAM_RESPONSE_TOO_LARGE'
  | 'UPSTREAM_REQUEST_INVALID'
  | 'SOAP_FAULT'
  | `GRPC_${string}`
  | 'RATE_LIMITED'
  | 'RATE_LIMIT_UNAVAILABLE'
  | 'SUBSCRIPTION_LIMIT_EXCEEDED'
  | 'OPERATION_LIMIT_EXCEEDED'
  | 'SHUTTING_DOWN'
  | 'COST_LIMIT_EXCEEDED'
  | 'DEPTH_LIMIT_EXCEEDED'
  | 'ALIAS_LIMIT_EXCEEDED'
  | 'DIRECTIVE_LIMIT_EXCEEDED'
  | 'TOKEN_LIMIT_EXCEEDED'
  | 'BATCH_LIMIT_EXCEEDED'
  | 'FRAGMENT_SPREAD_LIMIT_EXCEEDED'
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'AUTH_UNAVAILABLE'
  | 'INPUT_REJECTED'
  | 'FORBIDDEN'
  | 'PERSISTED_QUERY_NOT_FOUND'
  | 'PERSISTED_QUERY_ONLY'
  | 'PERSISTED_QUERY_HASH_MISMATCH'
  | 'INTROSPECTION_DISABLED'
  | 'BAD_REQUEST'
  | 'METHOD_NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'INCREMENTAL_DELIVERY_NOT_ACCEPTED'
  | 'MISSING_KEY'
  | 'VERSION_SUNSET'
  | 'UNKNOWN_API_VERSION'
  | 'CONFIG_INVALID';

declare module 'graphql' {
  /** Declared by Yoga too; the declarations merge, so both agree on one type. */
  interface GraphQLHTTPErrorExtensions {
    status?: number;
    headers?: Record<string, string>;
  }
  interface GraphQLErrorExtensions {
    code?: LoomErrorCode | string;
    source?: string;
    upstreamStatus?: number;
    http?: GraphQLHTTPErrorExtensions;
  }
}

export type HttpExtension = import('graphql').GraphQLHTTPErrorExtensions;

interface LoomErrorOptions {
  source?: string;
  upstreamStatus?: number;
  httpStatus?: number;
  headers?: Record<string, string>;
  extra?: Record<string, unknown>;
  /** The underlying failure, for logs. Never sent to clients. */
  cause?: unknown;
}

export function createLoomError(code: LoomErrorCode, message: string, options: LoomErrorOptions = {}): GraphQLError {
  // No originalError: Yoga masks any GraphQLError whose originalError is a plain
  // Error, which would hide our typed codes. The cause is for logs only.
  const { source, upstreamStatus, httpStatus, headers, extra } = options;
  const http: HttpExtension | undefined =
    httpStatus !== undefined || headers
      ? { ...(httpStatus !== undefined && { status: httpStatus }), ...(headers && { headers }) }
      : undefined;
  const extensions = {
    code,
    ...(source !== undefined && { source }),
    ...(upstreamStatus !== undefined && { upstreamStatus }),
    ...extra,
    ...(http && { http }),
  };
  // An answer, not a fault: its stack (these factories) is never read, and taking it walks the sync and
  // async stack, 10-50 us, on every refusal a client can cause by the thousand.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new GraphQLError(message, { extensions });
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/**
 * A non-2xx answer. `upstreamStatus` is the upstream's HTTP status;
 * `upstream.body` is its error body (parsed JSON, else text, cut at 500 characters).
 */
export const upstreamHttpError = (source: string, upstreamStatus: number, body?: unknown) =>
  createLoomError('UPSTREAM_HTTP_ERROR', `Source "${source}" answered HTTP ${upstreamStatus}`, {
    source,
    upstreamStatus,
    extra: body === undefined ? undefined : { upstream: { body } },
  });

export const upstreamTimeout = (source: string, timeoutMs: number) =>
  createLoomError('UPSTREAM_TIMEOUT', `Source "${source}" did not answer within ${timeoutMs} ms`, {
    source,
    httpStatus: 504,
  });

export const upstreamUnavailable = (source: string, reason: string, cause?: unknown) =>
  createLoomError('UPSTREAM_UNAVAILABLE', `Source "${source}" is unavailable: ${reason}`, { source, cause });

export const upstreamBadResponse = (source: string, reason: string, upstreamStatus?: number) =>
  createLoomError('UPSTREAM_BAD_RESPONSE', `Source "${source}" sent a response Loom cannot read: ${reason}`, {
    source,
    upstreamStatus,
  });

/** The upstream answer grew past the source's `maxResponseBytes`; reading stopped there. */
export const upstreamResponseTooLarge = (source: string, maxResponseBytes: number, upstreamStatus?: number) =>
  createLoomError(
    'UPSTREAM_RESPONSE_TOO_LARGE',
    `Source "${source}" sent a response larger than ${maxResponseBytes} bytes`,
    {
      source,
      upstreamStatus,
      httpStatus: 502,
      extra: { maxResponseBytes },
    },
  );

/** Loom could not build the upstream request (refused locally, nothing was sent): never the endpoint's fault. */
export const upstreamRequestInvalid = (source: string, reason: string, cause?: unknown) =>
  createLoomError('UPSTREAM_REQUEST_INVALID', `Loom could not build the request to source "${source}": ${reason}`, {
    source,
    cause,
  });

/**
 * A value the caller sent that the gateway will not pass on (a path argument, a forwarded header,
 * a negative or oversized list bound): 400, before any upstream call. `extra` names it, e.g. `{ argument }`.
 */
export const badUserInput = (message: string, extra?: Record<string, unknown>) =>
  createLoomError('BAD_USER_INPUT', message, { httpStatus: 400, extra });

export const unauthenticated = (message = 'Authentication required') =>
  createLoomError('UNAUTHENTICATED', message, { httpStatus: 401, headers: { 'WWW-Authenticate': 'Bearer' } });

/**
 * The service that judges a credential (an OAuth2 introspection endpoint) failed, was slow or answered
 * garbage: 503, and the request is refused, never let through unjudged.
 */
export const authUnavailable = (message: string, retryAfterSeconds = 1) =>
  createLoomError('AUTH_UNAVAILABLE', message, {
    httpStatus: 503,
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });

/**
 * Threat protection refused a value in `variables` or an inline argument: 400, before any upstream call.
 * `rule` names the limit or pattern that refused it, `path` where it was (`variables.input.name`).
 */
export const inputRejected = (message: string, rule: string, path: string) =>
  createLoomError('INPUT_REJECTED', message, { httpStatus: 400, extra: { rule, path } });

export const forbidden = (message: string) => createLoomError('FORBIDDEN', message);

export const persistedQueryNotFound = (message = 'PersistedQueryNotFound') =>
  createLoomError('PERSISTED_QUERY_NOT_FOUND', message, { httpStatus: 400 });

/** An APQ registration whose sha256Hash is not the hash of its query: refused, nothing stored or run. */
export const persistedQueryHashMismatch = () =>
  createLoomError('PERSISTED_QUERY_HASH_MISMATCH', 'provided sha256Hash does not match the query', {
    httpStatus: 400,
  });

export const introspectionDisabled = (fieldName: string, bffName: string) =>
  createLoomError(
    'INTROSPECTION_DISABLED',
    `Introspection is disabled on "${bffName}" (the query asked for ${fieldName})`,
    { httpStatus: 400 },
  );

export const rateLimited = (retryAfterSeconds: number, extra: Record<string, unknown> = {}) =>
  createLoomError('RATE_LIMITED', `Rate limit exceeded; retry in ${retryAfterSeconds} s`, {
    httpStatus: 429,
    headers: { 'Retry-After': String(retryAfterSeconds) },
    extra,
  });

/** The rate limiter's shared store (Redis) is down and the policy fails closed. */
export const rateLimitUnavailable = (retryAfterSeconds = 1) =>
  createLoomError('RATE_LIMIT_UNAVAILABLE', 'Rate limiting is unavailable; request refused', {
    httpStatus: 503,
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });

/**
 * A client already holds its most open subscriptions: 429, before any upstream
 * call. No Retry-After: a slot frees when the client ends one of its own
 * streams, not after a time.
 */
export const subscriptionLimitExceeded = (maxPerClient: number) =>
  createLoomError(
    'SUBSCRIPTION_LIMIT_EXCEEDED',
    `Too many open subscriptions: at most ${maxPerClient} per client; close one first`,
    {
      httpStatus: 429,
      extra: { limit: maxPerClient },
    },
  );

/** A WebSocket connection already runs its most operations at once: the new one is refused, the others go on. */
export const operationLimitExceeded = (maxPerConnection: number) =>
  createLoomError(
    'OPERATION_LIMIT_EXCEEDED',
    `Too many operations on this connection: at most ${maxPerConnection} at once; complete one first`,
    { httpStatus: 429, extra: { limit: maxPerConnection } },
  );

/** This instance is draining: no new operation starts here; the client should reconnect (to another instance). */
export const shuttingDown = () =>
  createLoomError('SHUTTING_DOWN', 'The server is shutting down; reconnect to continue', { httpStatus: 503 });

export const costLimitExceeded = (cost: number, maxCost: number) =>
  createLoomError('COST_LIMIT_EXCEEDED', `Query cost ${cost} exceeds the maximum of ${maxCost}`, {
    httpStatus: 400,
    extra: { cost, maxCost },
  });

/** A query-shape limit (depth, aliases, directives, tokens, batch size, fragment spreads) was exceeded: 400, before any upstream call. */
export const queryLimitExceeded = (
  code:
    | 'DEPTH_LIMIT_EXCEEDED'
    | 'ALIAS_LIMIT_EXCEEDED'
    | 'DIRECTIVE_LIMIT_EXCEEDED'
    | 'TOKEN_LIMIT_EXCEEDED'
    | 'BATCH_LIMIT_EXCEEDED'
    | 'FRAGMENT_SPREAD_LIMIT_EXCEEDED',
  message: string,
  limit: number,
) => createLoomError(code, message, { httpStatus: 400, extra: { limit } });

/**
 * A request sets more than one member of a protobuf oneof: a field error,
 * raised before any upstream call. `members` are argument paths (`card`, `requests.0.card`).
 */
export const oneofConflict = (source: string, oneof: string, members: readonly string[]) =>
  createLoomError('BAD_USER_INPUT', `Set at most one of ${members.join(', ')}: they are members of oneof ${oneof}`, {
    source,
    extra: { oneof, members: [...members] },
  });

export const payloadTooLarge = (maxBytes: number) =>
  createLoomError('PAYLOAD_TOO_LARGE', `Request body exceeds the maximum of ${maxBytes} bytes`, {
    httpStatus: 413,
    extra: { maxBytes },
  });

/** An operation with an active `@defer`/`@stream` from a client that accepts neither multipart/mixed nor text/event-stream: 406, before any upstream call. */
export const incrementalDeliveryNotAccepted = () =>
  createLoomError(
    'INCREMENTAL_DELIVERY_NOT_ACCEPTED',
    'This operation uses @defer or @stream: send "Accept: multipart/mixed" or "Accept: text/event-stream" to receive its parts',
    { httpStatus: 406 },
  );

/** An active `@defer`/`@stream` inside a batched (JSON array) request: a batch answers one JSON array, never parts. */
export const incrementalDeliveryInBatch = () =>
  createLoomError('BAD_REQUEST', '@defer and @stream cannot be used in a batched request: send this operation alone', {
    httpStatus: 400,
  });

/** `@stream(initialCount:)` below 0 (or not an integer): 400, before any upstream call. */
export const badStreamInitialCount = () =>
  createLoomError('BAD_USER_INPUT', '@stream(initialCount:) must be an integer of 0 or more', { httpStatus: 400 });

export const badRequest = (message: string) => createLoomError('BAD_REQUEST', message, { httpStatus: 400 });

/** A mutation sent as a GET (which caches and prefetchers may replay): 405 with `Allow: POST`. */
export const methodNotAllowed = (operation: string) =>
  createLoomError('METHOD_NOT_ALLOWED', `A ${operation} must be sent as a POST request, not a GET`, {
    httpStatus: 405,
    headers: { Allow: 'POST' },
  });

/** The whole request is refused (IP deny list, CSRF): 403, unlike `forbidden`, which nulls one field. */
export const requestForbidden = (message: string) => createLoomError('FORBIDDEN', message, { httpStatus: 403 });

/** A BFF version past its sunset date (RFC 8594): 410, with the version to move to. */
export const versionSunset = (bffName: string, version: string, sunset: string, successorPath: string) =>
  createLoomError(
    'VERSION_SUNSET',
    `Version ${version} of the ${bffName} API was retired on ${sunset}; use ${successorPath}`,
    { httpStatus: 410, extra: { version, sunset, successor: successorPath } },
  );

/** A version header naming no version of the BFF (never echoes the value: it may be anything). */
export const unknownApiVersion = (header: string, known: readonly string[]) =>
  createLoomError(
    'UNKNOWN_API_VERSION',
    `The ${header} header names no version of this API; known: ${known.join(', ')}`,
    {
      httpStatus: 400,
      extra: { versions: [...known] },
    },
  );

export const missingKey = (source: string, typeName: string, key: unknown) =>
  createLoomError('MISSING_KEY', `Source "${source}" returned no ${typeName} for key ${JSON.stringify(key)}`, {
    source,
    extra: { key },
  });

/** A gRPC status as a field error: `GRPC_NOT_FOUND`, `GRPC_UNAVAILABLE`, `GRPC_DEADLINE_EXCEEDED`, ... */
export const grpcStatusError = (source: string, statusName: string, grpcCode: number, details: string) =>
  createLoomError(`GRPC_${statusName}`, `Source "${source}" answered ${statusName}: ${details}`, {
    source,
    extra: { grpcCode },
  });

export interface SoapFaultDetail {
  faultcode: string;
  faultstring: string;
  detail?: unknown;
}

const soapFaultMessage = (source: string) => `Source "${source}" answered a SOAP fault`;

/** A SOAP 1.1/1.2 fault as a field error, with its code, string and detail (as JSON). */
export const soapFault = (source: string, fault: SoapFaultDetail, upstreamStatus: number) =>
  createLoomError('SOAP_FAULT', `${soapFaultMessage(source)}: ${fault.faultstring}`, {
    source,
    upstreamStatus,
    extra: {
      faultcode: fault.faultcode,
      faultstring: fault.faultstring,
      ...(fault.detail !== undefined && { detail: fault.detail }),
    },
  });

/** Extensions of a SOAP fault written by the backend itself, not by Loom. */
const SOAP_FAULT_BACKEND_TEXT = ['faultstring', 'detail'];

/**
 * An error's message and extensions as production may show them. A SOAP
 * fault's faultstring and detail are the backend's own words (stack traces,
 * table names, hosts), so only its code, faultcode, source and statuses stay.
 * Other errors come back as they are.
 */
export function withoutBackendText(
  message: string,
  extensions: Record<string, unknown>,
): { message: string; extensions: Record<string, unknown> } {
  if (extensions.code !== 'SOAP_FAULT' || typeof extensions.source !== 'string') return { message, extensions };
  const kept = { ...extensions };
  for (const key of SOAP_FAULT_BACKEND_TEXT) delete kept[key];
  return { message: soapFaultMessage(extensions.source), extensions: kept };
}

/** A config problem: one line naming the file, the source and the fault. Never a stack trace. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The process cannot start for a reason outside the config (port in use, host not available); one line, no stack. */
export class StartupError extends Error {
  readonly code = 'STARTUP_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}
