import { resolve } from 'node:path';
import demo from '../mesh.config';
import { defineConfig } from '../src/config';
import type { SourceOptions } from '../src/config/types';

const fromRepo = (location: string) => resolve(__dirname, '..', location);

/** mesh.config.ts names its specs relative to the repo root; this file lives in bench/. */
function rooted(source: SourceOptions): SourceOptions {
  switch (source.kind) {
    case 'openapi':
      return { ...source, spec: fromRepo(source.spec) };
    case 'grpc':
      return { ...source, proto: [source.proto].flat().map(fromRepo) };
    case 'soap':
      return { ...source, wsdl: fromRepo(source.wsdl) };
    case 'graphql':
      return { ...source, sdl: source.sdl && fromRepo(source.sdl) };
  }
}

/** The demo's sources and links (REST + gRPC + SOAP) behind a policy-free BFF, for the demo scenarios of `npm run bench`. */
export default defineConfig({
  ...demo,
  sources: demo.sources.map(rooted),
  bffs: { bench: resolve(__dirname, 'bff/bench.ts') },
  production: true,
});
