import { defineConfig } from 'loom/config';

/**
 * The project the Deployment serves (mounted from the loom-project ConfigMap at
 * /app/project). Replace it with yours: each file here is one configMapGenerator
 * entry in kustomization.yaml and one item of the Deployment's project volume.
 */
export default defineConfig({
  sources: [
    {
      name: 'catalog',
      kind: 'openapi',
      spec: './sources/catalog/openapi.yaml',
      endpoint: process.env.LOOM_CATALOG_URL ?? 'http://catalog:4101',
      headers: { 'x-api-key': process.env.CATALOG_API_KEY ?? '' },
    },
  ],
  bffs: { web: './bff/web.ts' },
  // From the loom-redis Secret (optional): rate limits and the response cache shared by every pod.
  redis: process.env.LOOM_REDIS_URL,
  host: process.env.LOOM_HOST ?? '0.0.0.0',
  port: Number(process.env.PORT ?? 4000),
  // The Deployment's terminationGracePeriodSeconds (40) covers the preStop sleep (5 s) plus this.
  shutdownTimeoutMs: 25_000,
});
