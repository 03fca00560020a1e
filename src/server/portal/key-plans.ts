import type { BffApp } from '../../bff/create-bff-app';
import type { GatewayContext, RequestIdentity } from '../../core/context';
import { resolveRateLimitRules } from '../../plugins/rate-limit/rate-limit-rules';
import { rateLimitBucketKey, type RateLimitOptions } from '../../plugins/rate-limit/use-rate-limit';
import type { IssuedApiKey } from '../../plugins/stores/api-key-store';
import { createRedisRateLimitStore } from '../../plugins/stores/redis-rate-limit-store';
import type { RateLimitStore } from '../../plugins/stores/rate-limit-store';
import type { GatewayParts } from '../gateway-parts';

/** The plan a key gets when none is chosen: the rules' plain `budget`. */
export const DEFAULT_PLAN = 'default';

/** Whether a BFF accepts keys issued in the portal (`useAuth({ apiKey: { issued: true } })`, auth not off). */
export function acceptsIssuedKeys(app: BffApp): boolean {
  return app.policies.some(
    (description) =>
      description.policy === 'useAuth' &&
      description.options.mode !== 'off' &&
      description.options.apiKey?.issued === true,
  );
}

function rateLimitOptions(app: BffApp): RateLimitOptions[] {
  return app.policies.flatMap((description) => (description.policy === 'useRateLimit' ? [description.options] : []));
}

/** The plans a key may take on a BFF: `default` and every `budgetByPlan` name of its rate-limit rules. */
export function plansOf(app: BffApp): string[] {
  const named = rateLimitOptions(app).flatMap((options) =>
    options.rules.flatMap((rule) => Object.keys(rule.budgetByPlan ?? {})),
  );
  return [DEFAULT_PLAN, ...[...new Set(named)].filter((plan) => plan !== DEFAULT_PLAN).sort()];
}

/** One rate-limit bucket of a key, as the limiter sees it now. */
export interface KeyUsage {
  rule: string;
  /** Units the plan allows per window. */
  budget: number;
  /** Units spent and not yet refilled. */
  used: number;
  windowMs: number;
}

function usageStore(gateway: GatewayParts): RateLimitStore | undefined {
  if (gateway.redis) return createRedisRateLimitStore(gateway.redis, gateway.config.redis?.commandTimeoutMs);
  return gateway.memoryRateLimitStore;
}

/**
 * A key's usage against its plan's budget, read from the rate limiter's own
 * store (a charge of 0 units only reads a bucket): one entry per rule that
 * meters API key callers. Empty when the BFF has no rate limit, or when the
 * store does not answer (the page says so rather than failing).
 */
export async function readKeyUsage(gateway: GatewayParts, app: BffApp, record: IssuedApiKey): Promise<KeyUsage[]> {
  const store = usageStore(gateway);
  if (!store) return [];
  const identity: RequestIdentity = {
    kind: 'apiKey',
    subject: record.id,
    scopes: [],
    ...(record.plan !== undefined && { plan: record.plan }),
  };
  const context = { identity } as GatewayContext;
  const prefix = `${gateway.config.redis?.keyPrefix ?? 'loom:'}${app.name}:`;
  const charges = rateLimitOptions(app).flatMap((options) =>
    resolveRateLimitRules(options.rules, options).flatMap((rule) => {
      const key = rule.keyOf(context);
      if (key === undefined || key.startsWith('ip:')) return [];
      return [
        {
          rule,
          charge: {
            key: rateLimitBucketKey(prefix, rule.name, key),
            capacity: rule.budgetOf(context),
            windowMs: rule.windowMs,
            cost: 0,
          },
        },
      ];
    }),
  );
  if (charges.length === 0) return [];
  try {
    const result = await store.consume(charges.map(({ charge }) => charge));
    return charges.map(({ rule, charge }, index) => ({
      rule: rule.name,
      budget: charge.capacity,
      used: Math.max(0, charge.capacity - result.buckets[index].remaining),
      windowMs: charge.windowMs,
    }));
  } catch {
    return [];
  }
}
