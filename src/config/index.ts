export { defineConfig } from './define-config';
export { validateConfig } from './validate-config';
export { loomConfigSchema } from './types';
export type { LoomConfig, ResolvedConfig, SourceOptions } from './types';
