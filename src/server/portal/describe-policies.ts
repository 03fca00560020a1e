import type { BffApp } from '../../bff/create-bff-app';
import type { PolicyDescription } from '../../plugins/shared/policy-description';
import type { RateLimitRule } from '../../plugins/rate-limit/rate-limit-rules';

const number = (value: number) => value.toLocaleString('en-US');

function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return ms === 3_600_000 ? 'hour' : `${number(ms / 3_600_000)} hours`;
  if (ms % 60_000 === 0) return ms === 60_000 ? 'minute' : `${number(ms / 60_000)} minutes`;
  if (ms % 1000 === 0) return ms === 1000 ? 'second' : `${number(ms / 1000)} seconds`;
  return `${number(ms)} ms`;
}

const ttl = (ms: number) => (ms % 1000 === 0 ? `${number(ms / 1000)} s` : `${number(ms)} ms`);

function bytes(count: number): string {
  if (count >= 1_048_576 && count % 1_048_576 === 0) return `${number(count / 1_048_576)} MiB`;
  if (count >= 1024) return `${number(Math.round(count / 1024))} KiB`;
  return `${number(count)} bytes`;
}

function describeAuth(options: Extract<PolicyDescription, { policy: 'useAuth' }>['options']): string[] {
  const mode = options.mode ?? 'required';
  if (mode === 'off') return ['No authentication.'];
  const credentials = [
    options.jwt && 'a JWT in Authorization: Bearer',
    options.oauth && 'an OAuth2 access token in Authorization: Bearer (checked by introspection)',
    options.hmac && 'an HMAC-SHA256 signature in Authorization (with Date and Content-Digest)',
    options.apiKey && `an API key in ${options.apiKey.header ?? 'x-api-key'}`,
    options.clientCert && 'a TLS client certificate from the listener CA',
  ].filter(Boolean);
  const lines = [
    mode === 'required'
      ? `Every call needs ${credentials.join(' or ')} (401 UNAUTHENTICATED without).`
      : `Anyone may call; ${credentials.join(' or ')} is checked when sent (401 when bad).`,
  ];
  for (const [kind, scopes] of Object.entries(options.operationScopes ?? {}))
    lines.push(
      scopes.length
        ? `A ${kind} needs scope ${scopes.join(', ')} (403 FORBIDDEN without).`
        : `A ${kind} needs a signed-in caller.`,
    );
  for (const [coordinate, scopes] of Object.entries(options.fieldScopes ?? {}))
    lines.push(`${coordinate} needs scope ${scopes.join(', ')}; without it the field is null with FORBIDDEN.`);
  return lines;
}

function describeQueryLimits(options: Extract<PolicyDescription, { policy: 'useQueryLimits' }>['options']): string[] {
  const { maxDepth = 10, maxAliases = 15, maxDirectives = 50, maxTokens = 1000, maxBatchSize = 5 } = options;
  return [
    `Queries at most ${maxDepth} deep, with at most ${maxAliases} aliases, ${maxDirectives} directives and ${number(maxTokens)} tokens; batches of at most ${maxBatchSize} (400 *_LIMIT_EXCEEDED past that).`,
  ];
}

function describeCostLimit(options: Extract<PolicyDescription, { policy: 'useCostLimit' }>['options']): string[] {
  const lines = [
    `An operation may cost at most ${number(options.maxCost ?? 1000)}: 1 per field, each list times its size argument (${number(options.defaultListSize ?? 10)} when not given) (400 COST_LIMIT_EXCEEDED).`,
  ];
  if (options.requireListSize)
    lines.push(`List fields that take a size must be given one, at most ${number(options.maxListSize ?? 100_000)}.`);
  return lines;
}

function whose(rule: RateLimitRule): string {
  if (typeof rule.by === 'function') return 'per custom key';
  return {
    user: 'per user (anonymous callers: per address)',
    apiKey: 'per API key',
    plan: 'per plan',
    ip: 'per client address',
    global: 'for the whole BFF',
  }[rule.by];
}

function describeRateLimit(options: Extract<PolicyDescription, { policy: 'useRateLimit' }>['options']): string[] {
  const lines = options.rules.map((rule) => {
    const window = duration(rule.windowMs ?? 60_000);
    const plans = Object.entries(rule.budgetByPlan ?? {})
      .map(([plan, budget]) => `plan ${plan}: ${number(budget)}`)
      .join(', ');
    const what = rule.field ? `calls of ${rule.field}` : 'cost units';
    return `${number(rule.budget)} ${what} per ${window} ${whose(rule)}${plans ? ` (${plans})` : ''}.`;
  });
  if (options.perEvent)
    lines.push(
      `Each subscription event costs ${number(options.perEvent)} units; out of budget, the subscription ends.`,
    );
  lines.push(
    `Over budget: 429 RATE_LIMITED with Retry-After; when the limiter's store fails, requests are ${(options.failMode ?? 'open') === 'open' ? 'let through' : 'refused (503)'}.`,
  );
  return lines;
}

function describeCache(options: Extract<PolicyDescription, { policy: 'useResponseCache' }>['options']): string[] {
  const lines = [`Answers without errors are cached for ${ttl(options.ttlMs ?? 60_000)} (x-loom-cache: HIT or MISS).`];
  for (const [type, ms] of Object.entries({ ...options.ttlPerType, ...options.ttlPerField }))
    lines.push(`${type}: ${ttl(ms)}.`);
  if (options.privateScope?.length)
    lines.push(`${options.privateScope.join(', ')}: cached per signed-in user, never for anonymous callers.`);
  if (options.httpCaching !== false)
    lines.push('GET answers carry Cache-Control (public, private or no-store), Vary and an ETag.');
  return lines;
}

function describeHardening(options: Extract<PolicyDescription, { policy: 'useHttpHardening' }>['options']): string[] {
  const lines: string[] = [];
  if (options.bodyLimit !== false)
    lines.push(`Request bodies up to ${bytes(options.bodyLimit?.maxBytes ?? 102_400)} (413 past that).`);
  if (options.cors) {
    const origins = options.cors.origins ?? [];
    lines.push(
      origins.length ? `Browsers may call from ${origins.join(', ')}.` : 'No browser origin may call it (no CORS).',
    );
  }
  if (options.csrf !== false) lines.push('Simple (non-JSON) requests need a CSRF header.');
  if (options.ipFilter) lines.push('Only some client addresses may call it (403 for others).');
  return lines;
}

function describePersisted(
  options: Extract<PolicyDescription, { policy: 'usePersistedOperations' }>['options'],
): string[] {
  const count = Object.keys(options.manifest() ?? {}).length;
  return [
    options.persistedOnly
      ? `Persisted operations only: the ${count} listed under Operations (400 PERSISTED_QUERY_NOT_FOUND for anything else).`
      : `${count} persisted operations may be sent by id; any other query is accepted too.`,
  ];
}

/** One policy in plain words, from the options it was built with. */
export function describePolicyInWords(description: PolicyDescription): string[] {
  switch (description.policy) {
    case 'useAuth':
      return describeAuth(description.options);
    case 'useQueryLimits':
      return describeQueryLimits(description.options);
    case 'useCostLimit':
      return describeCostLimit(description.options);
    case 'useRateLimit':
      return describeRateLimit(description.options);
    case 'useResponseCache':
      return describeCache(description.options);
    case 'useHttpHardening':
      return describeHardening(description.options);
    case 'usePersistedOperations':
      return describePersisted(description.options);
  }
}

/** Every policy of a BFF in words, plus what the BFF itself decides (introspection, GraphiQL, open streams). */
export function describeBffPolicies(app: BffApp): string[] {
  const maxStreams = app.definition.subscriptions?.maxPerClient ?? 10;
  return [
    ...app.policies.flatMap(describePolicyInWords),
    app.introspection
      ? 'Introspection on; GraphiQL ' + (app.graphiql ? 'on.' : 'off.')
      : 'Introspection and GraphiQL off.',
    `At most ${maxStreams} open subscriptions per client.`,
  ];
}
