import { ConfigError } from '../core/errors';

/** Retries with exponential backoff and full jitter, for idempotent calls only. */
export interface RetryOptions {
  /** Retries after the first attempt (0 disables retries). @default 2 */
  maxRetries?: number;
  /** Backoff before the first retry; doubles per retry, with full jitter. @default 50 */
  baseDelayMs?: number;
  /** Upper bound of one backoff delay. @default 1000 */
  maxDelayMs?: number;
  /** HTTP methods that are safe to repeat. @default ['GET', 'HEAD', 'OPTIONS'] */
  idempotentMethods?: string[];
  /**
   * Root fields (as named in the source's own schema) that are safe to repeat
   * whatever their transport, e.g. SOAP reads: `['GetInvoice']`. GraphQL
   * sources treat every query operation as idempotent. @default []
   */
  idempotentOperations?: string[];
  /** Retry mutations and non-idempotent methods too. Only for backends with idempotency keys. @default false */
  retryNonIdempotent?: boolean;
  /**
   * Retry budget: retries may be at most this share of the requests seen in the
   * last `budgetWindowMs`, so retries never multiply an outage. @default 0.2
   */
  budgetRatio?: number;
  /** Retries always allowed per window, so a quiet source can still retry. @default 10 */
  budgetMinRetries?: number;
  /** Window of the retry budget. @default 10000 */
  budgetWindowMs?: number;
}

/** Circuit breaker, one per upstream endpoint. */
export interface CircuitBreakerOptions {
  /** Failure share (0..1] over the window that opens the breaker. @default 0.5 */
  failureRateThreshold?: number;
  /** Calls the window must hold before the failure rate counts. @default 10 */
  minimumCalls?: number;
  /** Sliding window over which the failure rate is measured. @default 10000 */
  windowMs?: number;
  /** Time the breaker stays open before letting probe calls through (half-open). @default 5000 */
  coolDownMs?: number;
  /** Probe calls allowed at once while half-open; one success closes the breaker. @default 1 */
  halfOpenMaxCalls?: number;
}

/** Passive health: an endpoint that fails this many times in a row is ejected for a while. */
export interface OutlierDetectionOptions {
  /** Consecutive failures (connect errors, timeouts, 5xx) that eject an endpoint. @default 5 */
  consecutiveFailures?: number;
  /** How long an ejected endpoint gets no traffic (unless every endpoint is ejected). @default 30000 */
  ejectionMs?: number;
}

/** Mirror a share of a source's traffic to a shadow endpoint; its answers are compared, never used. */
export interface ShadowOptions {
  /** Base URL of the shadow deployment (same paths as the primary); `host:port` for gRPC sources. */
  endpoint: string;
  /** Share of calls mirrored, 0..1. @default 1 */
  ratio?: number;
  /** Timeout of one shadow call. @default 10000 */
  timeoutMs?: number;
}

/** Served instead of an error when the source is down (breaker open, unreachable, timed out). */
export type FallbackOption =
  /** Answer null, with no error. */
  | { kind: 'null' }
  /** Answer this value. */
  | { kind: 'static'; value: unknown }
  /** Answer the last good value this process saw for the same field and arguments (or the error when none). */
  | { kind: 'last-good' };

/**
 * Per-source upstream policies (`source.upstream`). Every option has a safe
 * default; `validateUpstreamPolicyOptions` rejects bad values at start-up.
 */
export interface UpstreamPolicyOptions {
  /** Retries for idempotent calls; `false` disables them. */
  retry?: RetryOptions | false;
  /** Circuit breaker per endpoint; `false` disables it. */
  circuitBreaker?: CircuitBreakerOptions | false;
  /** Outlier ejection; `false` disables it. */
  outlierDetection?: OutlierDetectionOptions | false;
  /** How calls are spread over several endpoints. @default 'round-robin' */
  loadBalancing?: 'round-robin' | 'least-outstanding';
  /** Endpoint used only when every primary endpoint is down (breaker open or ejected); `host:port` for gRPC sources. */
  backupEndpoint?: string;
  /** Mirror a share of traffic to a shadow endpoint (unary calls for gRPC sources). */
  shadow?: ShadowOptions;
  /** Connections kept open per endpoint (undici keep-alive pool). @default 64 */
  maxConnections?: number;
  /** Timeout of one call per root field (source schema names), across its retries: `{ searchProducts: 2000 }`. @default {} */
  operationTimeoutsMs?: Record<string, number>;
  /**
   * Time budget of the whole client request for this source's calls, counted
   * from the first upstream call of the request: later calls get what is left,
   * and none starts after it. Give every source the same value for a
   * gateway-wide deadline. @default none
   */
  requestDeadlineMs?: number;
  /** Fallbacks per root field (source schema names), e.g. `{ 'Query.getCustomer': { kind: 'last-good' } }`. @default {} */
  fallbacks?: Record<string, FallbackOption>;
}

export interface ResolvedRetryOptions extends Required<
  Omit<RetryOptions, 'idempotentMethods' | 'idempotentOperations'>
> {
  idempotentMethods: ReadonlySet<string>;
  idempotentOperations: ReadonlySet<string>;
}

export interface ResolvedUpstreamPolicy {
  retry: ResolvedRetryOptions;
  circuitBreaker: Required<CircuitBreakerOptions> | undefined;
  outlierDetection: Required<OutlierDetectionOptions> | undefined;
  loadBalancing: 'round-robin' | 'least-outstanding';
  backupEndpoint: string | undefined;
  shadow: Required<ShadowOptions> | undefined;
  maxConnections: number;
  operationTimeoutsMs: Readonly<Record<string, number>>;
  requestDeadlineMs: number | undefined;
  fallbacks: Readonly<Record<string, FallbackOption>>;
}

export const DEFAULT_RETRY: ResolvedRetryOptions = {
  maxRetries: 2,
  baseDelayMs: 50,
  maxDelayMs: 1000,
  idempotentMethods: new Set(['GET', 'HEAD', 'OPTIONS']),
  idempotentOperations: new Set(),
  retryNonIdempotent: false,
  budgetRatio: 0.2,
  budgetMinRetries: 10,
  budgetWindowMs: 10_000,
};

const DEFAULT_BREAKER: Required<CircuitBreakerOptions> = {
  failureRateThreshold: 0.5,
  minimumCalls: 10,
  windowMs: 10_000,
  coolDownMs: 5_000,
  halfOpenMaxCalls: 1,
};

const DEFAULT_OUTLIER: Required<OutlierDetectionOptions> = { consecutiveFailures: 5, ejectionMs: 30_000 };

const isUrl = (value: unknown): value is string => typeof value === 'string' && /^https?:\/\/[^/]/i.test(value);
/** A gRPC target as `@grpc/grpc-js` dials it: `host:port`, optionally `grpc://host:port`. */
const isAddress = (value: unknown): value is string =>
  typeof value === 'string' && /^(grpc:\/\/)?[^\s/]+:\d+$/i.test(value);

/** How a source's endpoints are written: base URLs (REST, SOAP, GraphQL) or gRPC addresses. */
export type EndpointForm = 'url' | 'address';

const ENDPOINT_CHECKS: Record<EndpointForm, { test: (value: unknown) => boolean; what: string }> = {
  url: { test: isUrl, what: 'an http(s) URL' },
  address: { test: isAddress, what: 'a host:port address' },
};

function check(where: string, condition: boolean, message: string): void {
  if (!condition) throw new ConfigError(`${where}: upstream.${message}`);
}

const isCount = (value: unknown) => value === undefined || (Number.isInteger(value) && (value as number) >= 0);
const isPositive = (value: unknown) => value === undefined || (Number.isFinite(value) && (value as number) > 0);
const isDelay = (value: unknown) => value === undefined || (Number.isFinite(value) && (value as number) >= 0);
const isShare = (value: unknown) =>
  value === undefined || (Number.isFinite(value) && (value as number) >= 0 && (value as number) <= 1);

function validateRetry(where: string, retry: RetryOptions): void {
  check(where, isCount(retry.maxRetries), 'retry.maxRetries must be an integer >= 0');
  check(where, isDelay(retry.baseDelayMs), 'retry.baseDelayMs must be a number >= 0');
  check(where, isDelay(retry.maxDelayMs), 'retry.maxDelayMs must be a number >= 0');
  check(where, isShare(retry.budgetRatio), 'retry.budgetRatio must be between 0 and 1');
  check(where, isCount(retry.budgetMinRetries), 'retry.budgetMinRetries must be an integer >= 0');
  check(where, isPositive(retry.budgetWindowMs), 'retry.budgetWindowMs must be a positive number');
  for (const list of ['idempotentMethods', 'idempotentOperations'] as const) {
    const value = retry[list];
    check(
      where,
      value === undefined || (Array.isArray(value) && value.every((item) => typeof item === 'string')),
      `retry.${list} must be a list of strings`,
    );
  }
}

function validateBreaker(where: string, breaker: CircuitBreakerOptions): void {
  const rate = breaker.failureRateThreshold;
  check(
    where,
    rate === undefined || (Number.isFinite(rate) && rate > 0 && rate <= 1),
    'circuitBreaker.failureRateThreshold must be in (0, 1]',
  );
  check(
    where,
    isCount(breaker.minimumCalls) && breaker.minimumCalls !== 0,
    'circuitBreaker.minimumCalls must be an integer >= 1',
  );
  check(where, isPositive(breaker.windowMs), 'circuitBreaker.windowMs must be a positive number');
  check(where, isDelay(breaker.coolDownMs), 'circuitBreaker.coolDownMs must be a number >= 0');
  check(
    where,
    isCount(breaker.halfOpenMaxCalls) && breaker.halfOpenMaxCalls !== 0,
    'circuitBreaker.halfOpenMaxCalls must be an integer >= 1',
  );
}

function validateFallbacks(where: string, fallbacks: Record<string, FallbackOption>): void {
  check(where, typeof fallbacks === 'object' && fallbacks !== null, 'fallbacks must be an object');
  for (const [coordinate, fallback] of Object.entries(fallbacks)) {
    check(
      where,
      /^(Query|Mutation)\.[_A-Za-z][_0-9A-Za-z]*$/.test(coordinate),
      `fallbacks: "${coordinate}" must look like Query.fieldName`,
    );
    const kind = (fallback as { kind?: unknown } | undefined)?.kind;
    check(
      where,
      kind === 'null' || kind === 'static' || kind === 'last-good',
      `fallbacks["${coordinate}"].kind must be null, static or last-good`,
    );
  }
}

/** Throws a ConfigError naming the source and the bad option; `where` is e.g. `mesh.config.ts: source "catalog"`. */
export function validateUpstreamPolicyOptions(
  where: string,
  options: UpstreamPolicyOptions | undefined,
  endpointForm: EndpointForm = 'url',
): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) throw new ConfigError(`${where}: upstream must be an object`);
  if (options.retry) validateRetry(where, options.retry);
  if (options.circuitBreaker) validateBreaker(where, options.circuitBreaker);
  if (options.outlierDetection) {
    check(
      where,
      isCount(options.outlierDetection.consecutiveFailures) && options.outlierDetection.consecutiveFailures !== 0,
      'outlierDetection.consecutiveFailures must be an integer >= 1',
    );
    check(where, isDelay(options.outlierDetection.ejectionMs), 'outlierDetection.ejectionMs must be a number >= 0');
  }
  const balancing = options.loadBalancing;
  check(
    where,
    balancing === undefined || balancing === 'round-robin' || balancing === 'least-outstanding',
    'loadBalancing must be round-robin or least-outstanding',
  );
  const endpointCheck = ENDPOINT_CHECKS[endpointForm];
  check(
    where,
    options.backupEndpoint === undefined || endpointCheck.test(options.backupEndpoint),
    `backupEndpoint must be ${endpointCheck.what}`,
  );
  if (options.shadow !== undefined) {
    check(where, endpointCheck.test(options.shadow?.endpoint), `shadow.endpoint must be ${endpointCheck.what}`);
    check(where, isShare(options.shadow.ratio), 'shadow.ratio must be between 0 and 1');
    check(where, isPositive(options.shadow.timeoutMs), 'shadow.timeoutMs must be a positive number');
  }
  check(
    where,
    isCount(options.maxConnections) && options.maxConnections !== 0,
    'maxConnections must be an integer >= 1',
  );
  for (const [field, timeoutMs] of Object.entries(options.operationTimeoutsMs ?? {})) {
    check(
      where,
      isPositive(timeoutMs) && timeoutMs !== undefined,
      `operationTimeoutsMs.${field} must be a positive number`,
    );
  }
  check(where, isPositive(options.requestDeadlineMs), 'requestDeadlineMs must be a positive number');
  if (options.fallbacks !== undefined) validateFallbacks(where, options.fallbacks);
}

/** `defaults` overlaid with the options the user set (an explicit `undefined` keeps the default). */
function withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined): T {
  const defined = Object.entries(given ?? {}).filter(([, value]) => value !== undefined);
  return { ...defaults, ...Object.fromEntries(defined) };
}

/** Validates, then fills every default in. */
export function resolveUpstreamPolicy(
  where: string,
  options: UpstreamPolicyOptions = {},
  endpointForm: EndpointForm = 'url',
): ResolvedUpstreamPolicy {
  validateUpstreamPolicyOptions(where, options, endpointForm);
  const retry = options.retry === false ? { maxRetries: 0 } : (options.retry ?? {});
  return {
    retry: {
      ...withDefaults(DEFAULT_RETRY, retry as Partial<ResolvedRetryOptions>),
      idempotentMethods: new Set(
        (retry.idempotentMethods ?? [...DEFAULT_RETRY.idempotentMethods]).map((method) => method.toUpperCase()),
      ),
      idempotentOperations: new Set(retry.idempotentOperations ?? []),
    },
    circuitBreaker:
      options.circuitBreaker === false ? undefined : withDefaults(DEFAULT_BREAKER, options.circuitBreaker),
    outlierDetection:
      options.outlierDetection === false ? undefined : withDefaults(DEFAULT_OUTLIER, options.outlierDetection),
    loadBalancing: options.loadBalancing ?? 'round-robin',
    backupEndpoint: options.backupEndpoint,
    shadow:
      options.shadow &&
      withDefaults({ endpoint: options.shadow.endpoint, ratio: 1, timeoutMs: 10_000 }, options.shadow),
    maxConnections: options.maxConnections ?? 64,
    operationTimeoutsMs: options.operationTimeoutsMs ?? {},
    requestDeadlineMs: options.requestDeadlineMs,
    fallbacks: options.fallbacks ?? {},
  };
}
