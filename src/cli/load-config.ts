import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { ConfigError } from '../core/errors';
import { requireDefault } from '../core/require-default';
import { validateConfig } from '../config/validate-config';
import type { ResolvedConfig } from '../config/types';

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
