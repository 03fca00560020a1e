import { startCatalogBackend, type CatalogBackend } from './catalog-backend';
import { startOrdersBackend, type OrdersBackend } from './orders-backend';
import { startBillingBackend, type BillingBackend } from './billing-backend';

export interface DemoBackends {
  readonly catalog: CatalogBackend;
  readonly orders: OrdersBackend;
  readonly billing: BillingBackend;
  close(): Promise<void>;
}

export interface DemoPorts {
  catalog?: number;
  orders?: number;
  billing?: number;
}

function portFromEnv(name: string, env: NodeJS.ProcessEnv): number {
  const text = env[name];
  if (text === undefined || text === '') return 0;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new Error(`${name} must be a port from 0 to 65535, got ${JSON.stringify(text)}`);
  return port;
}

/**
 * Ports from LOOM_DEMO_CATALOG_PORT, LOOM_DEMO_ORDERS_PORT and
 * LOOM_DEMO_BILLING_PORT; unset means any free port, so two demos (or the demo
 * next to the test suite) never collide.
 */
export function demoPortsFromEnv(env: NodeJS.ProcessEnv = process.env): DemoPorts {
  return {
    catalog: portFromEnv('LOOM_DEMO_CATALOG_PORT', env),
    orders: portFromEnv('LOOM_DEMO_ORDERS_PORT', env),
    billing: portFromEnv('LOOM_DEMO_BILLING_PORT', env),
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
  return {
    catalog,
    orders,
    billing,
    close: async () => {
      await Promise.all([catalog.close(), orders.close(), billing.close()]);
    },
  };
}
