import { startCatalogBackend, type CatalogBackend } from '../../demo/catalog-backend';
import type { Logger } from '../../src/core/logger';
import type { UpstreamPolicyOptions } from '../../src/upstream/upstream-policy-options';
import { REPO_ROOT, startTestGateway, type TestGateway } from './test-gateway';

export interface CatalogUnderTest {
  readonly backend: CatalogBackend;
  readonly gateway: TestGateway;
  close(): Promise<void>;
}

export interface CatalogUnderTestOptions {
  /** BFF files by name, relative to the repo root. @default { web: the open test BFF } */
  bffs?: Record<string, string>;
  /** Key the catalog wants and the source sends. @default 'test-key' */
  apiKey?: string;
  logger?: Logger;
  /** The catalog source's upstream policies. */
  upstream?: UpstreamPolicyOptions;
  /** Client headers the catalog source forwards. */
  forwardHeaders?: string[];
  /** Production mode (masked errors, no suggestions). @default false */
  production?: boolean;
  /** Serve the gateway on a real listener instead of in-process. @default false */
  socket?: boolean;
}

/** The demo catalog backend and a gateway in front of it, both on 127.0.0.1:0. */
export async function startCatalogUnderTest({
  bffs = { web: './test/fixtures/bff/open.ts' },
  apiKey = 'test-key',
  logger,
  upstream,
  forwardHeaders,
  production = false,
  socket = false,
}: CatalogUnderTestOptions = {}): Promise<CatalogUnderTest> {
  const backend = await startCatalogBackend({ apiKey });
  try {
    const gateway = await startTestGateway(
      {
        sources: [
          {
            name: 'catalog',
            kind: 'openapi',
            spec: './sources/catalog/openapi.yaml',
            endpoint: backend.url,
            headers: { 'x-api-key': apiKey },
            upstream,
            forwardHeaders,
          },
        ],
        bffs,
        production,
      },
      REPO_ROOT,
      { logger, socket },
    );
    return {
      backend,
      gateway,
      close: async () => {
        await gateway.close();
        await backend.close();
      },
    };
  } catch (error) {
    await backend.close();
    throw error;
  }
}
