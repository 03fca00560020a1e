import { defineBff } from '../src/bff/define-bff';

/** IoT devices: persisted operations only, tiny and cheap. */
export default defineBff({
  description: 'IoT devices: persisted operations only',
  introspection: false,
  graphiql: false,
  policies: [],
});
