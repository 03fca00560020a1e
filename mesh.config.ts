import { defineConfig } from './src/config';

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
  ],
  links: [],
  bffs: { web: './bff/web.ts', mobile: './bff/mobile.ts', iot: './bff/iot.ts' },
  redis: process.env.LOOM_REDIS_URL,
  port: Number(process.env.PORT ?? 4000),
});
