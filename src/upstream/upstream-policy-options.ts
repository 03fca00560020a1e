import { z } from 'zod';
import { ConfigError } from '../core/errors';
import { formatConfigIssues, PARSE_OPTIONS } from '../core/format-config-issues';
import {
  flag,
  integerAtLeast,
  nonNegativeNumber,
  numberWhere,
  oneOf,
  positiveNumber,
  ratio,
  stringList,
  strictObject,
} from '../core/options-schema';
import { ENDPOINT_SCHEMAS, type EndpointForm } from './endpoint-schemas';

export type { EndpointForm };

/** Retries with exponential backoff and full jitter, for idempotent calls only. */
export const retryOptionsSchema = strictObject({
  /** Retries after the first attempt (0 disables retries). @default 2 */
  maxRetries: integerAtLeast(0).optional(),
  /** Backoff before the first retry; doubles per retry, with full jitter. @default 50 */
  baseDelayMs: nonNegativeNumber().optional(),
  /** Upper bound of one backoff delay. @default 1000 */
  maxDelayMs: nonNegativeNumber().optional(),
  /** HTTP methods that are safe to repeat. @default ['GET', 'HEAD', 'OPTIONS'] */
  idempotentMethods: stringList().optional(),
  /**
   * Root fields (as named in the source's own schema) that are safe to repeat
   * whatever their transport, e.g. SOAP reads: `['GetInvoice']`. GraphQL
   * sources treat every query operation as idempotent. @default []
   */
  idempotentOperations: stringList().optional(),
  /** Retry mutations and non-idempotent methods too. Only for backends with idempotency keys. @default false */
  retryNonIdempotent: flag().optional(),
  /**
   * Retry budget: retries may be at most this share of the requests seen in the
   * last `budgetWindowMs`, so retries never multiply an outage. @default 0.2
   */
  budgetRatio: ratio().optional(),
  /** Retries always allowed per window, so a quiet source can still retry. @default 10 */
  budgetMinRetries: integerAtLeast(0).optional(),
  /** Window of the retry budget. @default 10000 */
  budgetWindowMs: positiveNumber().optional(),
});
export type RetryOptions = z.input<typeof retryOptionsSchema>;

/** Circuit breaker, one per upstream endpoint. */
export const circuitBreakerOptionsSchema = strictObject({
  /** Failure share (0..1] over the window that opens the breaker. @default 0.5 */
  failureRateThreshold: numberWhere('must be in (0, 1]', (value) => value > 0 && value <= 1).optional(),
  /** Calls the window must hold before the failure rate counts. @default 10 */
  minimumCalls: integerAtLeast(1).optional(),
  /** Sliding window over which the failure rate is measured. @default 10000 */
  windowMs: positiveNumber().optional(),
  /** Time the breaker stays open before letting probe calls through (half-open). @default 5000 */
  coolDownMs: nonNegativeNumber().optional(),
  /** Probe calls allowed at once while half-open; one success closes the breaker. @default 1 */
  halfOpenMaxCalls: integerAtLeast(1).optional(),
});
export type CircuitBreakerOptions = z.input<typeof circuitBreakerOptionsSchema>;

/** Passive health: an endpoint that fails this many times in a row is ejected for a while. */
export const outlierDetectionOptionsSchema = strictObject({
  /** Consecutive failures (connect errors, timeouts, 5xx) that eject an endpoint. @default 5 */
  consecutiveFailures: integerAtLeast(1).optional(),
  /** How long an ejected endpoint gets no traffic (unless every endpoint is ejected). @default 30000 */
  ejectionMs: nonNegativeNumber().optional(),
});
export type OutlierDetectionOptions = z.input<typeof outlierDetectionOptionsSchema>;

/** Mirror a share of a source's traffic to a shadow endpoint; its answers are compared, never used. */
const shadowOptionsSchema = (form: EndpointForm) =>
  strictObject({
    /** Base URL of the shadow deployment (same paths as the primary); `host:port` for gRPC sources. */
    endpoint: ENDPOINT_SCHEMAS[form],
    /** Share of calls mirrored, 0..1. @default 1 */
    ratio: ratio().optional(),
    /** Timeout of one shadow call. @default 10000 */
    timeoutMs: positiveNumber().optional(),
  });
export type ShadowOptions = z.input<ReturnType<typeof shadowOptionsSchema>>;

/** Served instead of an error when the source is down (breaker open, unreachable, timed out). */
const fallbackOptionSchema = z.discriminatedUnion(
  'kind',
  [
    /** Answer null, with no error. */
    strictObject({ kind: z.literal('null') }),
    /** Answer this value. */
    strictObject({ kind: z.literal('static'), value: z.unknown() }),
    /** Answer the last good value this process saw for the same field and arguments (or the error when none). */
    strictObject({ kind: z.literal('last-good') }),
  ],
  { error: 'must be one of null, static, last-good' },
);
export type FallbackOption = z.input<typeof fallbackOptionSchema>;

const ROOT_FIELD = /^(Query|Mutation)\.[_A-Za-z][_0-9A-Za-z]*$/;

/** Per-source upstream policies (`source.upstream`). Every option has a safe default. */
export const upstreamPolicyOptionsSchema = (form: EndpointForm) =>
  strictObject({
    /** Retries for idempotent calls; `false` disables them. */
    retry: z.union([z.literal(false), retryOptionsSchema]).optional(),
    /** Circuit breaker per endpoint; `false` disables it. */
    circuitBreaker: z.union([z.literal(false), circuitBreakerOptionsSchema]).optional(),
    /** Outlier ejection; `false` disables it. */
    outlierDetection: z.union([z.literal(false), outlierDetectionOptionsSchema]).optional(),
    /** How calls are spread over several endpoints. @default 'round-robin' */
    loadBalancing: oneOf(['round-robin', 'least-outstanding']).optional(),
    /** Endpoint used only when every primary endpoint is down (breaker open or ejected); `host:port` for gRPC sources. */
    backupEndpoint: ENDPOINT_SCHEMAS[form].optional(),
    /** Mirror a share of traffic to a shadow endpoint (unary calls for gRPC sources). */
    shadow: shadowOptionsSchema(form).optional(),
    /** Connections kept open per endpoint (undici keep-alive pool). @default 64 */
    maxConnections: integerAtLeast(1).optional(),
    /** Timeout of one call per root field (source schema names), across its retries: `{ searchProducts: 2000 }`. @default {} */
    operationTimeoutsMs: z.record(z.string(), positiveNumber(), { error: 'must be an object of field: ms' }).optional(),
    /**
     * Time budget of the whole client request for this source's calls, counted
     * from the first upstream call of the request: later calls get what is left,
     * and none starts after it. Give every source the same value for a
     * gateway-wide deadline. @default none
     */
    requestDeadlineMs: positiveNumber().optional(),
    /** Fallbacks per root field (source schema names), e.g. `{ 'Query.getCustomer': { kind: 'last-good' } }`. @default {} */
    fallbacks: z
      .record(z.string().regex(ROOT_FIELD, { error: 'must look like Query.fieldName' }), fallbackOptionSchema, {
        error: 'must be an object',
      })
      .optional(),
  });
export type UpstreamPolicyOptions = z.input<ReturnType<typeof upstreamPolicyOptionsSchema>>;

const UPSTREAM_SCHEMAS = {
  url: upstreamPolicyOptionsSchema('url'),
  address: upstreamPolicyOptionsSchema('address'),
};

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

/**
 * Throws a ConfigError naming the source and every bad option; `where` is e.g.
 * `mesh.config.ts: source "catalog"`. The config validates `upstream` as part
 * of its schema; this is for clients built in code.
 */
export function validateUpstreamPolicyOptions(
  where: string,
  options: UpstreamPolicyOptions | undefined,
  endpointForm: EndpointForm = 'url',
): void {
  if (options === undefined) return;
  const result = UPSTREAM_SCHEMAS[endpointForm].safeParse(options, PARSE_OPTIONS);
  if (result.success) return;
  const issues = result.error.issues.map((issue) => ({ ...issue, path: ['upstream', ...issue.path] }));
  const lines = formatConfigIssues(issues, { input: { upstream: options } });
  throw new ConfigError(lines.map((line) => `${where}: ${line}`).join('\n'));
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
