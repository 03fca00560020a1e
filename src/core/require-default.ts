/** Requires a TypeScript/JavaScript module and returns its default export (CommonJS or transpiled ESM). */
export function requireDefault(file: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(file) as { default?: unknown };
  return loaded && typeof loaded === 'object' && 'default' in loaded ? loaded.default : loaded;
}
