export { defineConfig } from './define-config';
export { validateConfig } from './validate-config';
export type { LoomConfig, ResolvedConfig, SourceOptions } from './types';
