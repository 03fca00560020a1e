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

/** Starts every demo backend; ports default to the ones mesh.config.ts names (0 = any free port). */
export async function startDemoBackends(ports: DemoPorts = { catalog: 4101, orders: 4102, billing: 4103 }): Promise<DemoBackends> {
  const catalog = await startCatalogBackend({ port: ports.catalog ?? 0 });
  const orders = await startOrdersBackend({ port: ports.orders ?? 0 });
  const billing = await startBillingBackend({ port: ports.billing ?? 0 });
  return {
    catalog,
    orders,
    billing,
    close: async () => {
      await Promise.all([catalog.close(), orders.close(), billing.close()]);
    },
  };
}
