import { defineBff } from '../../src/bff/define-bff';
import { useQueryLimits } from '../../src/plugins/limits/use-query-limits';

/** bench/version-overhead.ts: v1's shape by an unversioned view rename (the existing wrap layer), for comparison. */
export default defineBff({
  introspection: true,
  view: { exclude: ['Customer.email'], renames: { 'Customer.fullName': 'name' } },
  policies: [useQueryLimits({ maxDepth: 6 })],
});
