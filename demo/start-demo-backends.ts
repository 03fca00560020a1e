import { startCatalogBackend, type CatalogBackend } from './catalog-backend';
import { startOrdersBackend, type OrdersBackend } from './orders-backend';

export interface DemoBackends {
  readonly catalog: CatalogBackend;
  readonly orders: OrdersBackend;
  close(): Promise<void>;
}

export interface DemoPorts {
  catalog?: number;
  orders?: number;
}

/** Starts every demo backend; ports default to the ones mesh.config.ts names (0 = any free port). */
export async function startDemoBackends(ports: DemoPorts = { catalog: 4101, orders: 4102 }): Promise<DemoBackends> {
  const catalog = await startCatalogBackend({ port: ports.catalog ?? 0 });
  const orders = await startOrdersBackend({ port: ports.orders ?? 0 });
  return {
    catalog,
    orders,
    close: async () => {
      await Promise.all([catalog.close(), orders.close()]);
    },
  };
}
