import { resolve } from 'node:path';
import { defineConfig } from '../src/config';

/**
 * Loom in front of the peer benchmark's backend (../shared/peer-bench), with
 * the same OpenAPI spec Hive Gateway composes. `Order.user` is a link with no
 * batch configuration: Loom finds GET /users?ids= by itself.
 */
export default defineConfig({
  sources: [
    {
      name: 'Shop',
      kind: 'openapi',
      spec: resolve(__dirname, '../../shared/peer-bench/backend/openapi.yaml'),
      endpoint: process.env.BENCH_BACKEND_URL ?? 'http://127.0.0.1:4001',
    },
  ],
  links: [{ field: 'Order.user', resolveWith: 'getUser', args: { id: '$source.userId' } }],
  bffs: { bench: './bff/bench.ts', cached: './bff/cached.ts', guarded: './bff/guarded.ts' },
  production: true,
});
