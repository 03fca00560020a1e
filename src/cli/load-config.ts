import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../core/errors';
import { describeLoadFailure, shownPath } from '../core/describe-load-failure';
import { requireDefault } from '../core/require-default';
import { validateConfig } from '../config/validate-config';
import type { ResolvedConfig } from '../config/types';

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
