import { existsSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { ConfigError } from '../core/errors';
import { describeLoadFailure, shownPath } from '../core/describe-load-failure';
import { requireDefault } from '../core/require-default';
import { validateConfig } from '../config/validate-config';
import type { ResolvedConfig } from '../config/types';

/** Loom's own modules: never reloaded, so every generation shares one copy of each class and registry. */
const LOOM_SOURCE_DIR = resolve(__dirname, '..');

/**
 * Drops the project's modules from require's cache so that the next load
 * reads the files as they are now (hot reload): the config, BFF files and
 * whatever they import from `dirs`, but never Loom itself or node_modules.
 */
export function forgetProjectModules(dirs: readonly string[], files: readonly string[] = []): void {
  const inside = (id: string, dir: string) => id.startsWith(dir.endsWith(sep) ? dir : `${dir}${sep}`);
  for (const id of Object.keys(require.cache)) {
    if (id.includes(`${sep}node_modules${sep}`) || inside(id, LOOM_SOURCE_DIR)) continue;
    if (files.includes(id) || dirs.some((dir) => inside(id, dir))) delete require.cache[id];
  }
}

/**
 * Loads and validates a config file (mesh.config.ts by default). Throws a
 * ConfigError with one line per fault; a syntax error as `file:line:column:
 * syntax error: <cause>`.
 */
export function loadConfig(file = 'mesh.config.ts', cwd = process.cwd()): ResolvedConfig {
  const absolute = resolve(cwd, file);
  const shown = shownPath(absolute, cwd);
  if (!existsSync(absolute)) throw new ConfigError(`${shown}: config file not found`);
  let raw: unknown;
  try {
    raw = requireDefault(absolute);
  } catch (error) {
    throw new ConfigError(describeLoadFailure(shown, absolute, cwd, error));
  }
  return validateConfig(raw, shown, dirname(absolute));
}
