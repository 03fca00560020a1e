import { startCatalogBackend, type CatalogBackend } from '../../demo/catalog-backend';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';

export const API_KEY = 'bff-test-key';

export interface CatalogGateway {
  readonly backend: CatalogBackend;
  readonly gateway: TestGateway;
  close(): Promise<void>;
}

/** The demo catalog backend and a gateway over it serving the given BFF files (paths relative to the repo root). */
export async function startCatalogGateway(bffs: Record<string, string>, options: { production?: boolean } = {}): Promise<CatalogGateway> {
  const backend = await startCatalogBackend({ apiKey: API_KEY });
  try {
    const gateway = await startTestGateway({
      sources: [
        {
          name: 'catalog',
          kind: 'openapi',
          spec: './sources/catalog/openapi.yaml',
          endpoint: backend.url,
          headers: { 'x-api-key': API_KEY },
          forwardHeaders: ['x-request-source'],
        },
      ],
      bffs,
      production: options.production ?? false,
    });
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

/** The three demo BFF files. */
export const DEMO_BFFS = { web: './bff/web.ts', mobile: './bff/mobile.ts', iot: './bff/iot.ts' };
