import { defineBff } from '../src/bff/define-bff';
import { useAuth } from '../src/plugins/auth/use-auth';
import { useHttpHardening } from '../src/plugins/http/use-http-hardening';
import { useQueryLimits } from '../src/plugins/limits/use-query-limits';
import { useCostLimit } from '../src/plugins/use-cost-limit';
import { useAutomaticPersistedQueries } from '../src/plugins/apq/use-automatic-persisted-queries';
import { useRateLimit } from '../src/plugins/rate-limit/use-rate-limit';
import { DEMO_WRITE_SCOPE, demoJwtOptions } from '../demo/demo-auth';

/**
 * Lists whose size the specs do not declare, priced at what the backends send
 * when the query sets no bound (a declared default, like listProducts' limit
 * = 20, is read from the schema). Shared by the cost limit and the rate limiter.
 */
const cost = { fieldCosts: { 'Query.listCustomers': { listSize: 50 }, 'Query.listOrders': { listSize: 20 } } };

/** The web app: the whole graph, introspection and GraphiQL on. */
/** The web BFF's document limits and cost ceiling (the bench's guarded BFF applies the same). */
export const WEB_QUERY_LIMITS = { maxDepth: 10, maxAliases: 15, maxDirectives: 30, maxTokens: 2000, maxBatchSize: 5 };
export const WEB_MAX_COST = 5000;

export default defineBff({
  description: 'Web app: the whole graph',
  introspection: true,
  graphiql: true,
  // @defer/@stream over multipart HTTP and SSE (README "@defer and @stream").
  deferStream: true,
  // Apollo's BatchHttpLink: up to 5 operations per request, each priced and charged on its own.
  batching: { maxOperations: 5 },
  policies: [
    (context) =>
      useHttpHardening({
        cors: { origins: ['http://localhost:3000', 'http://127.0.0.1:3000'] },
        bodyLimit: { maxBytes: 100_000 },
        safeErrors: { production: context.production },
      }),
    // Apollo APQ: clients send a hash, and the document once per instance set (shared through Redis when configured).
    useAutomaticPersistedQueries(),
    (context) => useQueryLimits({ ...WEB_QUERY_LIMITS, blockFieldSuggestions: context.production }),
    useCostLimit({ maxCost: WEB_MAX_COST, ...cost }),
    // Anyone may read; writes need a shop:write token from the demo issuer (README: Try it with a token).
    // API keys issued on the portal's Keys page identify a caller and carry its plan (no scopes: reads only).
    // Before the rate limit: it keys on the identity this sets, and a refused write spends no budget.
    useAuth({
      mode: 'optional',
      jwt: demoJwtOptions(),
      apiKey: { issued: true },
      operationScopes: { mutation: [DEMO_WRITE_SCOPE] },
    }),
    useRateLimit({
      cost,
      rules: [
        { by: 'user', budget: 20_000, budgetByPlan: { pro: 100_000 } },
        { by: 'ip', budget: 50_000 },
        { by: 'user', field: 'Mutation.createProduct', budget: 5 },
      ],
    }),
  ],
});
