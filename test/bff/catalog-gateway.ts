import { demoIotApiKey } from '../../demo/demo-auth';
import { startCatalogUnderTest, type CatalogUnderTest } from '../helpers/catalog-under-test';

export const API_KEY = 'bff-test-key';

export type CatalogGateway = CatalogUnderTest;

/** The demo catalog backend and a gateway over it serving the given BFF files (paths relative to the repo root). */
export function startCatalogGateway(
  bffs: Record<string, string>,
  options: { production?: boolean; socket?: boolean } = {},
): Promise<CatalogGateway> {
  return startCatalogUnderTest({
    bffs,
    apiKey: API_KEY,
    forwardHeaders: ['x-request-source'],
    production: options.production ?? false,
    socket: options.socket ?? false,
  });
}

/** The three demo BFF files. */
export const DEMO_BFFS = { web: './bff/web.ts', mobile: './bff/mobile.ts', iot: './bff/iot.ts' };

/** The header every call to the demo iot BFF needs (its API key; a published demo value). */
export const IOT_KEY = { 'x-api-key': demoIotApiKey() };
