import { defineBff } from '../src/bff/define-bff';

/** The mobile app: a trimmed view of the graph (no admin mutations, no internal fields). */
export default defineBff({
  description: 'Mobile app: trimmed graph',
  introspection: process.env.NODE_ENV !== 'production',
  policies: [],
});
