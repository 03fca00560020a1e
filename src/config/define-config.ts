import type { LoomConfig } from './types';

/** Identity function that types a config file: `export default defineConfig({...})`. */
export function defineConfig(config: LoomConfig): LoomConfig {
  return config;
}
