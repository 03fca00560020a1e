import { defineBff } from 'loom/bff';
import { useHttpHardening, useQueryLimits, useRateLimit } from 'loom/plugins';

/** One BFF for the example: the whole graph, with limits and a per-IP budget (shared through Redis when set). */
export default defineBff({
  introspection: false,
  policies: [
    (context) => useHttpHardening({ safeErrors: { production: context.production } }),
    useQueryLimits({ maxDepth: 8, maxAliases: 10 }),
    useRateLimit({ rules: [{ by: 'ip', budget: 10_000 }] }),
  ],
});
