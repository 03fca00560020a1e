import { defineBff } from '../../src/bff/define-bff';
import { useResponseCache } from '../../src/plugins/cache/use-response-cache';

/** The cache-hit scenario: the same graph with a public response cache. */
export default defineBff({
  description: 'benchmark: response cache',
  introspection: false,
  policies: [useResponseCache({ ttlMs: 60_000 })],
});
