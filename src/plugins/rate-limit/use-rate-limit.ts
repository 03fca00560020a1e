import type { Plugin } from 'graphql-yoga';
import { GraphQLError, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { withGatewayServices } from '../shared/gateway-services';
import { rateLimited, rateLimitUnavailable } from '../../core/errors';
import type { GatewayContext } from '../../core/context';
import { getOrCreateCounter } from '../../observability/get-or-create-metric';
import { createMemoryRateLimitStore } from '../stores/memory-rate-limit-store';
import type { BucketCharge, BucketState, RateLimitStore } from '../stores/rate-limit-store';
import { createRedisHealth, type RedisHealth } from '../stores/redis-health';
import { createRedisRateLimitStore } from '../stores/redis-rate-limit-store';
import { createQueryCostCalculator, type QueryCostCalculator, type QueryCostOptions } from '../cost/compute-query-cost';
import { priceOncePerRequest } from '../cost/price-once-per-request';
import { PolicyOptionError, requireOneOf } from '../shared/option-checks';
import { requireSchemaCoordinates } from '../shared/require-schema-coordinates';
import { resolveRateLimitRules, type RateLimitRule, type ResolvedRule } from './rate-limit-rules';
import { describePolicy } from '../shared/describe-policy';
import { hashTaggedPrefix } from '../../core/redis-client';
import { isAsyncIterable } from '@graphql-tools/utils';
import { chargeEachEvent } from './charge-each-event';

export type { RateLimitRule } from './rate-limit-rules';

/**
 * Where a rule's bucket for one caller lives: `loom:web:rl:{loom:web:rl}:user:jwt:alice`.
 * One hash tag for every bucket of the BFF: a request's buckets are charged in one
 * script, which a Redis Cluster runs only on keys of one slot.
 */
export const rateLimitBucketKey = (bffKeyPrefix: string, ruleName: string, key: string) =>
  `${hashTaggedPrefix(`${bffKeyPrefix}rl:`)}${ruleName}:${key}`;

export interface RateLimitOptions {
  /** The limits; a request must fit every rule that applies to it, and is charged by all or none. */
  rules: RateLimitRule[];
  /**
   * How queries are priced (same options as the cost limit; with equal options the two share one price per
   * request). Clamped sizes (`outOfRangeListSize: 'clamp'`) reach upstream through useCostLimit only. @default cost 1 per field, lists x 10
   */
  cost?: QueryCostOptions;
  /**
   * When Redis fails or does not answer within its command deadline (config
   * `redis.commandTimeoutMs`): `open` lets requests through unmetered, `closed`
   * refuses them (503 RATE_LIMIT_UNAVAILABLE). @default 'open'
   */
  failMode?: 'open' | 'closed';
  /** Read `X-Forwarded-For` for `ip` rules; only behind a proxy you trust. @default false */
  trustForwardedFor?: boolean;
  /** Send RateLimit-Limit/Remaining/Reset on every metered response. @default true */
  headers?: boolean;
  /** Store override (tests, custom backends). @default Redis when the gateway has one, else in memory */
  store?: RateLimitStore;
  /**
   * Units each event a subscription delivers (over SSE or WebSocket) takes
   * from the caller's whole-query buckets, on top of the start's query cost.
   * When a bucket cannot pay, the subscription gets one last result with the
   * RATE_LIMITED error and ends, and its upstream stream is cancelled. `0`:
   * events are free (only the start is charged). @default 0
   */
  perEvent?: number;
}

interface Verdict {
  rule: ResolvedRule;
  charge: BucketCharge;
  state: BucketState;
}

const seconds = (ms: number) => Math.ceil(ms / 1000);

/** Yoga types the context as its initial one; at execution it is Loom's (auth has set `identity`). */
export function asGatewayContext(context: object): GatewayContext {
  return context as GatewayContext;
}

/**
 * Cost-based rate limiting: each request takes its query cost from token
 * buckets (per user, API key, plan, IP...), before any upstream call. Over
 * budget: HTTP 429 RATE_LIMITED with Retry-After. In Redis (atomic Lua, shared
 * by every instance) when the gateway has Redis, else in memory.
 *
 * Put it after auth (it keys on `context.identity`) and before the response
 * cache (cache hits are charged too: they are still answers).
 */
export function useRateLimit(options: RateLimitOptions): Plugin {
  const rules = resolveRateLimitRules(options.rules, options);
  const failMode = options.failMode ?? 'open';
  requireOneOf('useRateLimit', 'failMode', failMode, ['open', 'closed'] as const);
  let priceQuery: QueryCostCalculator;
  try {
    priceQuery = createQueryCostCalculator(options.cost);
  } catch (error) {
    throw new PolicyOptionError('useRateLimit', `cost: ${(error as Error).message}`);
  }
  const sendHeaders = options.headers ?? true;
  const perEvent = options.perEvent ?? 0;
  if (!Number.isInteger(perEvent) || perEvent < 0)
    throw new PolicyOptionError(
      'useRateLimit',
      `perEvent must be a non-negative integer, got ${JSON.stringify(perEvent)}`,
    );

  const ruleFields = options.rules.flatMap((rule) => rule.field ?? []);

  const plugin = withGatewayServices((policy) => {
    const store =
      options.store ??
      (policy.redis
        ? createRedisRateLimitStore(policy.redis, policy.redisCommandTimeoutMs)
        : (policy.memoryRateLimitStore ?? createMemoryRateLimitStore()));
    const health: RedisHealth | undefined =
      policy.redis && !options.store
        ? createRedisHealth({
            redis: policy.redis,
            bffName: policy.bffName,
            component: 'rate-limit',
            logger: policy.logger,
            metrics: policy.metrics,
            readinessTimeoutMs: policy.redisReadinessTimeoutMs,
          })
        : undefined;
    if (health) policy.addReadinessCheck('rate-limit-redis', () => health.check());
    const rejections = getOrCreateCounter(policy.metrics, {
      name: 'loom_rate_limit_rejections_total',
      help: 'Requests refused by a rate-limit rule',
      labelNames: ['bff', 'rule'],
    });
    const headersByRequest = new WeakMap<Request, Record<string, string>>();
    const bucketKey = (rule: ResolvedRule, key: string) => rateLimitBucketKey(policy.redisKeyPrefix, rule.name, key);

    function chargesFor(
      context: GatewayContext,
      schema: GraphQLSchema,
      document: DocumentNode,
      variables: Record<string, unknown> | undefined,
      operationName?: string | null,
    ) {
      let queryCost: number | undefined;
      const applied: Array<{ rule: ResolvedRule; charge: BucketCharge }> = [];
      for (const rule of rules) {
        const key = rule.keyOf(context);
        if (key === undefined) continue;
        const cost = rule.fieldCounter
          ? rule.fieldCounter(schema, document, variables, { operationName })
          : (queryCost ??= priceOncePerRequest(priceQuery, {
              context,
              schema,
              document,
              variables,
              operationName,
            }).cost);
        // A field rule for a query without that field says nothing about it.
        if (!rule.wholeQuery && cost === 0) continue;
        const charge = {
          key: bucketKey(rule, key),
          capacity: rule.budgetOf(context),
          windowMs: rule.windowMs,
          cost,
        };
        applied.push({ rule, charge });
      }
      return applied;
    }

    // The tightest whole-query rule speaks for an accepted request: the least left, relative to its size.
    function tightest(verdicts: Verdict[]): Verdict | undefined {
      const shown = verdicts.filter(({ rule }) => rule.wholeQuery);
      if (shown.length === 0) return undefined;
      return shown.reduce((best, next) =>
        next.state.remaining / next.charge.capacity < best.state.remaining / best.charge.capacity ? next : best,
      );
    }

    function rememberHeaders(request: Request | undefined, verdict: Verdict | undefined) {
      if (!sendHeaders || !request || !verdict) return;
      headersByRequest.set(request, {
        'RateLimit-Limit': String(verdict.charge.capacity),
        'RateLimit-Remaining': String(verdict.state.remaining),
        'RateLimit-Reset': String(seconds(verdict.state.resetMs)),
      });
    }

    /** The refusal for the worst of the buckets that could not pay. */
    function refusalOf(verdicts: Verdict[]): ExecutionResult {
      const refusing = verdicts.filter(({ charge, state }) => state.remaining < charge.cost);
      for (const { rule } of refusing) rejections.inc({ bff: policy.bffName, rule: rule.name });
      // The request may retry when the slowest refusing bucket holds enough.
      const worst = refusing.reduce(
        (best, next) => (next.state.retryAfterMs > best.state.retryAfterMs ? next : best),
        refusing[0] ?? verdicts[0],
      );
      return {
        errors: [
          rateLimited(Math.max(1, seconds(worst.state.retryAfterMs)), {
            rule: worst.rule.name,
            cost: worst.charge.cost,
            limit: worst.charge.capacity,
            remaining: worst.state.remaining,
            reset: seconds(worst.state.resetMs),
          }),
        ],
      };
    }

    /** Charges one subscription event `perEvent` units on the whole-query rules; a result means refused. */
    async function chargeEvent(context: GatewayContext): Promise<ExecutionResult | undefined> {
      const applied = rules.flatMap((rule) => {
        const key = rule.wholeQuery ? rule.keyOf(context) : undefined;
        if (key === undefined) return [];
        const charge = {
          key: bucketKey(rule, key),
          capacity: rule.budgetOf(context),
          windowMs: rule.windowMs,
          cost: perEvent,
        };
        return [{ rule, charge }];
      });
      if (applied.length === 0) return undefined;
      let result;
      try {
        result = await store.consume(applied.map(({ charge }) => charge));
        health?.markUp();
      } catch (error) {
        health?.markDown(error);
        return failMode === 'open' ? undefined : { errors: [rateLimitUnavailable()] };
      }
      if (result.allowed) return undefined;
      return refusalOf(applied.map(({ rule, charge }, index) => ({ rule, charge, state: result.buckets[index] })));
    }

    /** Charges one operation; `refuse` answers it instead of running it. */
    async function meter(args: ExecutionArgs, refuse: (result: ExecutionResult) => void): Promise<void> {
      const context = asGatewayContext(args.contextValue as object);
      let applied: ReturnType<typeof chargesFor>;
      try {
        applied = chargesFor(
          context,
          args.schema,
          args.document,
          args.variableValues as Record<string, unknown> | undefined,
          args.operationName,
        );
      } catch (error) {
        // A size the cost function refuses (BAD_USER_INPUT) is refused here too when no cost limit ran first.
        if (!(error instanceof GraphQLError)) throw error;
        refuse({ errors: [error] });
        return;
      }
      if (applied.length === 0) return;
      let result;
      try {
        result = await store.consume(applied.map(({ charge }) => charge));
        health?.markUp();
      } catch (error) {
        health?.markDown(error);
        if (failMode === 'open') return;
        refuse({ errors: [rateLimitUnavailable()] });
        return;
      }
      const verdicts = applied.map(({ rule, charge }, index) => ({ rule, charge, state: result.buckets[index] }));
      if (result.allowed) {
        rememberHeaders(context.request, tightest(verdicts));
        return;
      }
      const refusal = refusalOf(verdicts);
      // A refusal's headers describe the rule that refused (the one named in the error).
      const rule = refusal.errors?.[0]?.extensions?.rule;
      rememberHeaders(
        context.request,
        verdicts.find((verdict) => verdict.rule.name === rule),
      );
      refuse(refusal);
    }

    return {
      onSchemaChange({ schema }) {
        requireSchemaCoordinates('useRateLimit', 'rules[].field', schema, ruleFields);
      },
      onExecute: ({ args, setResultAndStopExecution }) => meter(args, setResultAndStopExecution),
      // A subscription pays its cost when it starts, and `perEvent` for each event it delivers (if set).
      async onSubscribe({ args, setResultAndStopExecution }) {
        let refused = false;
        await meter(args, (result) => {
          refused = true;
          setResultAndStopExecution(result);
        });
        if (refused || perEvent === 0) return undefined;
        const context = asGatewayContext(args.contextValue as object);
        return {
          onSubscribeResult({ result, setResult }) {
            if (isAsyncIterable(result)) setResult(chargeEachEvent(result, () => chargeEvent(context)));
          },
        };
      },
      onResponse({ request, response }) {
        const headers = headersByRequest.get(request);
        if (!headers) return;
        for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
      },
    };
  });
  return describePolicy(plugin, { policy: 'useRateLimit', options });
}
