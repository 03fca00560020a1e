import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { ConfigError } from '../errors';
import { validateConfig } from './validate-config';
import type { ResolvedConfig } from './types';

/** Requires a TypeScript/JavaScript module and returns its default export (CommonJS or transpiled ESM). */
export function requireDefault(file: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(file) as { default?: unknown };
  return loaded && typeof loaded === 'object' && 'default' in loaded ? loaded.default : loaded;
}

/** Loads and validates a config file (mesh.config.ts by default). Throws ConfigError with one clear line. */
export function loadConfig(file = 'mesh.config.ts', cwd = process.cwd()): ResolvedConfig {
  const absolute = resolve(cwd, file);
  const fromCwd = relative(cwd, absolute);
  const shown = fromCwd && !fromCwd.startsWith('..') ? fromCwd : absolute;
  if (!existsSync(absolute)) throw new ConfigError(`${shown}: config file not found`);
  let raw: unknown;
  try {
    raw = requireDefault(absolute);
  } catch (error) {
    throw new ConfigError(`${shown}: cannot load: ${(error as Error).message.split('\n')[0]}`);
  }
  return validateConfig(raw, shown, dirname(absolute));
}
