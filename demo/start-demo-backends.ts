import { startCatalogBackend, type CatalogBackend } from './catalog-backend';
import { startOrdersBackend, type OrdersBackend } from './orders-backend';
import { startBillingBackend, type BillingBackend } from './billing-backend';
import { DEMO_ISSUER_PORT, demoIotApiKey } from './demo-auth';
import { startTokenIssuer, type TokenIssuer } from './token-issuer';

export interface DemoBackends {
  readonly catalog: CatalogBackend;
  readonly orders: OrdersBackend;
  readonly billing: BillingBackend;
  /** Signs demo tokens (POST /token) and serves their JWKS to the web and mobile BFFs. */
  readonly issuer: TokenIssuer;
  /** Lines telling a person how to authenticate against the demo (printed by `loom serve --demo`). */
  readonly banner: string[];
  close(): Promise<void>;
}

export interface DemoPorts {
  catalog?: number;
  orders?: number;
  billing?: number;
  issuer?: number;
}

/** Starts every demo backend; ports default to the ones mesh.config.ts names (0 = any free port). */
export async function startDemoBackends(ports: DemoPorts = { catalog: 4101, orders: 4102, billing: 4103, issuer: DEMO_ISSUER_PORT }): Promise<DemoBackends> {
  const catalog = await startCatalogBackend({ port: ports.catalog ?? 0 });
  const orders = await startOrdersBackend({ port: ports.orders ?? 0 });
  const billing = await startBillingBackend({ port: ports.billing ?? 0 });
  const issuer = await startTokenIssuer({ port: ports.issuer ?? 0 });
  return {
    catalog,
    orders,
    billing,
    issuer,
    banner: [
      `demo token issuer on ${issuer.url}: POST /token {"sub":"ada","scope":"shop:write","plan":"pro"} (key pair made at start-up; JWKS at ${issuer.jwksUrl})`,
      `demo IoT API key (x-api-key): ${demoIotApiKey()} (a published demo value; set LOOM_DEMO_IOT_API_KEY to change it)`,
    ],
    close: async () => {
      await Promise.all([catalog.close(), orders.close(), billing.close(), issuer.close()]);
    },
  };
}
