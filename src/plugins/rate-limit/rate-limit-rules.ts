import type { IncomingMessage } from 'node:http';
import type { GatewayContext } from '../../core/context';
import { createQueryCostCalculator, type QueryCostCalculator } from '../cost/compute-query-cost';
import { PolicyOptionError, requireOneOf, requirePositiveInteger } from '../shared/option-checks';

/** Whose bucket a request draws from. */
export type RateLimitKey = 'user' | 'apiKey' | 'plan' | 'ip' | 'global';

export interface RateLimitRule {
  /** Name in metrics, errors and store keys. @default the `by` value, plus the field for field rules */
  name?: string;
  /**
   * Whose bucket: `user` (identity subject, any credential), `apiKey` (API key
   * callers only), `plan` (one bucket per plan claim), `ip` (client address),
   * `global` (one for the BFF) or a function of the context.
   * `user` and `apiKey` rules meter a caller they cannot name (anonymous, or a
   * JWT without `sub`) by address instead (`ip:<address>`, or `ip:unknown`
   * when there is none, e.g. an in-process request): an anonymous caller
   * never escapes a per-user budget. An `apiKey` rule does not meter JWT
   * callers (their `user` rules do). Other keys a request lacks (`plan`
   * without a plan claim, `ip` without an address) skip the rule.
   */
  by: RateLimitKey | ((context: GatewayContext) => string | undefined);
  /** Units per window: query cost units, or calls of `field`. */
  budget: number;
  /** Budgets by plan claim (`identity.plan`): `{ free: 100, pro: 1000 }`; other plans get `budget`. @default {} */
  budgetByPlan?: Record<string, number>;
  /** Window in ms: an empty bucket is full again after it (token bucket). @default 60000 */
  windowMs?: number;
  /** Limit one field (`Mutation.createProduct`): each selection of it costs 1 unit instead of the query cost. */
  field?: string;
}

export interface RateLimitRuleOptions {
  /** Read `X-Forwarded-For` (first address) for `ip` rules; only behind a proxy you trust. @default false */
  trustForwardedFor?: boolean;
}

/** A rule checked and ready: it knows its key and the charge for a request. */
export interface ResolvedRule {
  readonly name: string;
  /** Whether the rule prices whole queries (it then feeds the RateLimit-* headers). */
  readonly wholeQuery: boolean;
  keyOf(context: GatewayContext): string | undefined;
  budgetOf(context: GatewayContext): number;
  readonly windowMs: number;
  /** Units for a request; whole-query rules use the query cost. */
  readonly fieldCounter?: QueryCostCalculator;
}

const COORDINATE = /^[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*$/;

/** The caller's address: the socket's, or the first `X-Forwarded-For` entry when trusted. */
export function clientAddress(context: GatewayContext, trustForwardedFor: boolean): string | undefined {
  if (trustForwardedFor) {
    const forwarded = context.request?.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  // Yoga merges node's server context ({ req, res }) into the GraphQL context.
  const req = context.req as IncomingMessage | undefined;
  return req?.socket?.remoteAddress ?? undefined;
}

function keyReader(
  by: RateLimitRule['by'],
  trustForwardedFor: boolean,
): (context: GatewayContext) => string | undefined {
  if (typeof by === 'function') return by;
  // Never "no key": a per-user budget that skipped anonymous callers would be no budget at all for them.
  const byAddress = (context: GatewayContext) => `ip:${clientAddress(context, trustForwardedFor) ?? 'unknown'}`;
  switch (by) {
    case 'user':
      return (context) => {
        const { identity } = context;
        return identity && identity.kind !== 'anonymous' && identity.subject
          ? `${identity.kind}:${identity.subject}`
          : byAddress(context);
      };
    case 'apiKey':
      // Prefixed like `user` keys, so no key id can share a bucket with an address.
      return (context) => {
        const { identity } = context;
        // An HMAC key id or a client certificate is a machine client's key as much as an API key is.
        if (
          (identity?.kind === 'apiKey' || identity?.kind === 'hmac' || identity?.kind === 'clientCert') &&
          identity.subject
        )
          return `${identity.kind}:${identity.subject}`;
        return identity && identity.kind !== 'anonymous' && identity.subject ? undefined : byAddress(context);
      };
    case 'plan':
      return ({ identity }) => identity?.plan;
    case 'ip':
      return (context) => clientAddress(context, trustForwardedFor);
    case 'global':
      return () => 'all';
  }
}

function fieldCounterFor(field: string): QueryCostCalculator {
  // Counting selections is pricing with every other field free and no list multiplier.
  return createQueryCostCalculator({
    defaultFieldCost: 0,
    introspectionCost: 0,
    defaultListSize: 1,
    listSizeArguments: [],
    listArgumentsMultiply: false,
    fieldCosts: { [field]: 1 },
  });
}

export function resolveRateLimitRules(
  rules: readonly RateLimitRule[],
  { trustForwardedFor = false }: RateLimitRuleOptions,
): ResolvedRule[] {
  if (!Array.isArray(rules) || rules.length === 0)
    throw new PolicyOptionError('useRateLimit', 'rules must be a non-empty list');
  const names = new Set<string>();
  return rules.map((rule, index) => {
    const at = `rules[${index}]`;
    if (typeof rule.by !== 'function')
      requireOneOf('useRateLimit', `${at}.by`, rule.by, ['user', 'apiKey', 'plan', 'ip', 'global'] as const);
    requirePositiveInteger('useRateLimit', `${at}.budget`, rule.budget);
    const windowMs = rule.windowMs ?? 60_000;
    requirePositiveInteger('useRateLimit', `${at}.windowMs`, windowMs);
    for (const [plan, budget] of Object.entries(rule.budgetByPlan ?? {}))
      requirePositiveInteger('useRateLimit', `${at}.budgetByPlan.${plan}`, budget);
    if (rule.field !== undefined && !COORDINATE.test(rule.field)) {
      throw new PolicyOptionError(
        'useRateLimit',
        `${at}.field must be a Type.field coordinate, got ${JSON.stringify(rule.field)}`,
      );
    }
    const byName = typeof rule.by === 'function' ? 'custom' : rule.by;
    const name = rule.name ?? (rule.field ? `${byName}:${rule.field}` : byName);
    if (!/^[\w.:-]+$/.test(name))
      throw new PolicyOptionError(
        'useRateLimit',
        `${at}.name must use letters, digits, _ . : -, got ${JSON.stringify(name)}`,
      );
    if (names.has(name)) throw new PolicyOptionError('useRateLimit', `two rules are named "${name}": give one a name`);
    names.add(name);
    const budgetByPlan = rule.budgetByPlan ?? {};
    return {
      name,
      wholeQuery: rule.field === undefined,
      keyOf: keyReader(rule.by, trustForwardedFor),
      budgetOf: ({ identity }) =>
        (identity?.plan !== undefined ? budgetByPlan[identity.plan] : undefined) ?? rule.budget,
      windowMs,
      fieldCounter: rule.field === undefined ? undefined : fieldCounterFor(rule.field),
    } satisfies ResolvedRule;
  });
}
