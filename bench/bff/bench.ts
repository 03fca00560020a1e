import { defineBff } from '../../src/bff/define-bff';

/** The benchmark BFF: the whole graph and no policies, like the peer's default deployment. */
export default defineBff({ description: 'benchmark: no policies', introspection: false, policies: [] });
