import { resolve } from 'node:path';
import { defineConfig } from './src/config';
import { discoverBffFiles } from './src/bff/discover-bff-files';

/**
 * The demo shop that `npm start` serves: a REST catalog, a gRPC orders service
 * and a SOAP billing service (demo/), stitched and served as three BFFs.
 * Endpoints can be moved with LOOM_CATALOG_URL etc.
 */
export default defineConfig({
  sources: [
    {
      name: 'catalog',
      kind: 'openapi',
      spec: './sources/catalog/openapi.yaml',
      endpoint: process.env.LOOM_CATALOG_URL ?? 'http://127.0.0.1:4101',
      headers: { 'x-api-key': process.env.DEMO_CATALOG_API_KEY ?? 'demo-catalog-key' },
      forwardHeaders: ['x-request-source'],
    },
    {
      name: 'orders',
      kind: 'grpc',
      proto: './sources/orders/orders.proto',
      endpoint: process.env.LOOM_ORDERS_URL ?? '127.0.0.1:4102',
      timeoutMs: 5000,
      // The demo's WatchOrders stream ends after the current orders: also offer it as a collected Query.
      methods: { WatchOrders: 'query' },
    },
    {
      name: 'billing',
      kind: 'soap',
      wsdl: './sources/billing/billing.wsdl',
      endpoint: process.env.LOOM_BILLING_URL ?? 'http://127.0.0.1:4103/billing',
      timeoutMs: 5000,
    },
  ],
  // No batch configuration: Loom finds GET /customers?ids= and GetOrdersByIds by itself.
  links: [
    { field: 'Order.customer', resolveWith: 'getCustomer', args: { id: '$source.customerId' } },
    { field: 'Order.products', resolveWith: 'getProduct', args: { id: '$source.productIds' } },
    { field: 'Order.billing', resolveWith: 'getInvoice', args: { orderId: '$source.id' } },
  ],
  // Every bff/<name>.ts is served at /<name>/graphql (web, mobile, iot, and any file dropped there).
  bffs: discoverBffFiles(resolve(__dirname, 'bff')),
  redis: process.env.LOOM_REDIS_URL,
  port: Number(process.env.PORT ?? 4000),
  // The container image sets LOOM_HOST=0.0.0.0; outside one, only this machine reaches the demo.
  host: process.env.LOOM_HOST ?? '127.0.0.1',
});
