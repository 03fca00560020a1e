import { defineBff } from '../../src/bff/define-bff';
import { useQueryLimits } from '../../src/plugins/limits/use-query-limits';

/** bench/version-overhead.ts: the versioning fixture's v1 view (no email) and policies, unversioned and unmapped. */
export default defineBff({
  introspection: true,
  view: { exclude: ['Customer.email'] },
  policies: [useQueryLimits({ maxDepth: 6 })],
});
