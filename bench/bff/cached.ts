import { defineBff } from '../../src/bff/define-bff';

/** The cache-hit scenario: the same graph with a public response cache. */
export default defineBff({ description: 'benchmark: response cache', introspection: false, policies: [] });
