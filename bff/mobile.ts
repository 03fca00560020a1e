import { defineBff } from '../src/bff/define-bff';

/**
 * The mobile app: a trimmed view of the graph. No admin mutations, no internal
 * fields, no list that can return a whole collection, and introspection off
 * in production (the config's `production`, i.e. NODE_ENV=production).
 * Globs, so that sources added later (orders, billing) follow the same rules.
 */
export default defineBff({
  description: 'Mobile app: trimmed graph',
  view: {
    exclude: [
      // Admin mutations: catalog maintenance, anything named admin/internal.
      'Mutation.{create,update,delete}Product*',
      'Mutation.*{Admin,admin,Internal,internal}*',
      // Internal fields.
      '*.note',
      '*.{internal,admin}*',
      '*.*{Internal,Admin}*',
    ],
    // Root lists without a limit/first argument (e.g. listCustomers) are hidden.
    listBoundArguments: ['limit', 'first', 'pageSize'],
    // Upstreams see which client asked.
    hiddenArguments: { 'Query.getCustomer.X_Request_Source': 'mobile' },
  },
  policies: [],
});
