import { startCatalogBackend, type CatalogBackend } from './catalog-backend';
import { startOrdersBackend, type OrdersBackend } from './orders-backend';
import { startBillingBackend, type BillingBackend } from './billing-backend';
import { DEMO_ISSUER_PORT, demoIotApiKey } from './demo-auth';
import { startTokenIssuer, type TokenIssuer } from './token-issuer';
import type { DemoModule } from '../src/cli/demo-module';

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

function portFromEnv(name: string, env: NodeJS.ProcessEnv, unset = 0): number {
  const text = env[name];
  if (text === undefined || text === '') return unset;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535))
    throw new Error(`${name} must be a port from 0 to 65535, got ${JSON.stringify(text)}`);
  return port;
}

/**
 * Ports from LOOM_DEMO_CATALOG_PORT, LOOM_DEMO_ORDERS_PORT and
 * LOOM_DEMO_BILLING_PORT; unset means any free port, so two demos (or the demo
 * next to the test suite) never collide. The token issuer takes
 * LOOM_DEMO_ISSUER_PORT, else 4104 (the README's curl) when free.
 */
export function demoPortsFromEnv(env: NodeJS.ProcessEnv = process.env): DemoPorts {
  return {
    catalog: portFromEnv('LOOM_DEMO_CATALOG_PORT', env),
    orders: portFromEnv('LOOM_DEMO_ORDERS_PORT', env),
    billing: portFromEnv('LOOM_DEMO_BILLING_PORT', env),
    issuer: portFromEnv('LOOM_DEMO_ISSUER_PORT', env, DEMO_ISSUER_PORT),
  };
}

/** Starts every demo backend; a port left out (or 0) is any free port. */
export async function startDemoBackends(ports: DemoPorts = {}): Promise<DemoBackends> {
  const catalog = await startCatalogBackend({ port: ports.catalog ?? 0 });
  const orders = await startOrdersBackend({ port: ports.orders ?? 0 }).catch(async (error: unknown) => {
    await catalog.close();
    throw error;
  });
  const billing = await startBillingBackend({ port: ports.billing ?? 0 }).catch(async (error: unknown) => {
    await Promise.all([catalog.close(), orders.close()]);
    throw error;
  });
  // The README's port when it is free; another demo already there gets the next free one (the banner says which).
  const issuer = await startTokenIssuer({ port: ports.issuer ?? 0 })
    .catch((error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' && ports.issuer === DEMO_ISSUER_PORT
        ? startTokenIssuer({ port: 0 })
        : Promise.reject(error),
    )
    .catch(async (error: unknown) => {
      await Promise.all([catalog.close(), orders.close(), billing.close()]);
      throw error;
    });
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

/** What `loom serve --demo` loads (typed by src/cli/demo-module.ts without importing demo/). */
export const demoModule = { demoPortsFromEnv, startDemoBackends } satisfies DemoModule;
