import { resolve } from 'node:path';
import { defineBff } from '../src/bff/define-bff';
import { useAuth } from '../src/plugins/auth/use-auth';
import { useHttpHardening } from '../src/plugins/http/use-http-hardening';
import { useQueryLimits } from '../src/plugins/limits/use-query-limits';
import { useCostLimit } from '../src/plugins/use-cost-limit';
import { useRateLimit } from '../src/plugins/rate-limit/use-rate-limit';
import { usePersistedOperations } from '../src/plugins/use-persisted-operations';
import { demoIotApiKey } from '../demo/demo-auth';

/**
 * IoT devices: an API key on every call, persisted operations only (bff/iot.persisted.json, validated
 * against this view at start-up), a handful of product fields, short lists.
 */
export default defineBff({
  description: 'IoT devices: persisted operations only',
  view: {
    // An allow-list: only these coordinates are served, whatever sources are added later.
    allowList: true,
    include: ['Query.getProduct', 'Query.listProducts', 'Product.{id,name,price,currency}'],
    hiddenArguments: { 'Query.listProducts.limit': 5 },
  },
  introspection: false,
  graphiql: false,
  // Devices send persisted operations only; incremental delivery stays off (`@defer` is an unknown directive).
  deferStream: false,
  policies: [
    usePersistedOperations({ manifest: resolve(__dirname, 'iot.persisted.json'), persistedOnly: true }),
    (context) =>
      useHttpHardening({
        csrf: false,
        cors: { origins: [] },
        bodyLimit: { maxBytes: 8_192 },
        safeErrors: { production: context.production },
      }),
    (context) =>
      useQueryLimits({
        maxDepth: 5,
        maxAliases: 5,
        maxDirectives: 5,
        maxTokens: 300,
        maxBatchSize: 1,
        blockFieldSuggestions: context.production,
      }),
    useCostLimit({ maxCost: 200 }),
    // Every device call carries its key in x-api-key: no key, no answer (401), queries included.
    // Before the rate limit, which keys on the identity this sets.
    useAuth({ mode: 'required', apiKey: { keys: [{ key: demoIotApiKey(), id: 'demo-device', plan: 'device' }] } }),
    useRateLimit({
      rules: [
        { by: 'apiKey', budget: 1_000 },
        { by: 'ip', budget: 5_000 },
      ],
    }),
  ],
});
