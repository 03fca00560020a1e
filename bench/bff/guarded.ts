import { WEB_MAX_COST, WEB_QUERY_LIMITS } from '../../bff/web';
import { defineBff } from '../../src/bff/define-bff';
import { useQueryLimits } from '../../src/plugins/limits/use-query-limits';
import { useCostLimit } from '../../src/plugins/use-cost-limit';

/**
 * The hostile-document row: the same graph behind the web BFF's query limits
 * and cost limit (bff/web.ts), so the fragment-spread bomb is refused the way
 * the demo refuses it, by the process that serves getUser at the same time.
 */
export default defineBff({
  description: 'benchmark: query limits and cost limit',
  introspection: false,
  policies: [
    (context) => useQueryLimits({ ...WEB_QUERY_LIMITS, blockFieldSuggestions: context.production }),
    useCostLimit({ maxCost: WEB_MAX_COST }),
  ],
});
