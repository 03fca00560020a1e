import { defineBff } from '../src/bff/define-bff';

/** The web app: the whole graph, introspection and GraphiQL on. */
export default defineBff({
  description: 'Web app: the whole graph',
  introspection: true,
  graphiql: true,
  policies: [],
});
