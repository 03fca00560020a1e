import { startCatalogBackend } from './catalog-backend';
import type { RunningBackend } from './http-backend';

export interface DemoBackends {
  readonly catalog: RunningBackend;
  close(): Promise<void>;
}

export interface DemoPorts {
  catalog?: number;
}

/** Starts every demo backend; ports default to the ones mesh.config.ts names (0 = any free port). */
export async function startDemoBackends(ports: DemoPorts = { catalog: 4101 }): Promise<DemoBackends> {
  const catalog = await startCatalogBackend({ port: ports.catalog ?? 0 });
  return {
    catalog,
    close: async () => {
      await catalog.close();
    },
  };
}
