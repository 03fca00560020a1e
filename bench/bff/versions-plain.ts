import { defineBff } from '../../src/bff/define-bff';
import { useQueryLimits } from '../../src/plugins/limits/use-query-limits';

/** bench/version-overhead.ts: the versioning fixture's v2, unversioned (same view, same policies). */
export default defineBff({ introspection: true, policies: [useQueryLimits({ maxDepth: 6, maxAliases: 1 })] });
