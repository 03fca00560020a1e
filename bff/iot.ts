import { resolve } from 'node:path';
import { defineBff } from '../src/bff/define-bff';
import { usePersistedOperations } from '../src/plugins/use-persisted-operations';

/**
 * IoT devices: persisted operations only (bff/iot.persisted.json, validated
 * against this view at start-up), a handful of product fields, short lists.
 */
export default defineBff({
  description: 'IoT devices: persisted operations only',
  view: {
    include: ['Query.getProduct', 'Query.listProducts', 'Product.{id,name,price,currency}'],
    hiddenArguments: { 'Query.listProducts.limit': 5 },
  },
  introspection: false,
  graphiql: false,
  policies: [
    usePersistedOperations({ manifest: resolve(__dirname, 'iot.persisted.json'), persistedOnly: true }),
  ],
});
