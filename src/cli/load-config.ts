import { existsSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../core/errors';
import { requireDefault } from '../core/require-default';
import { validateConfig } from '../config/validate-config';
import type { ResolvedConfig } from '../config/types';

/**
 * esbuild (through tsx) reports a syntax error as `Transform failed with 1
 * error:` and puts the place and the cause on the next line,
 * `/abs/file.ts:1:28: ERROR: Unexpected ";"`: show that line, with the file as
 * the user named it (the error may be in a file the config imports).
 */
const TRANSFORM_ERROR = /^(.+):(\d+):(\d+): ERROR: (.+)$/m;

function describeLoadFailure(shown: string, absolute: string, cwd: string, error: Error): string {
  const message = String(error?.message ?? error);
  const located = message.startsWith('Transform failed') ? TRANSFORM_ERROR.exec(message) : null;
  if (located) {
    const [, file, line, column, cause] = located;
    const where = file === absolute ? shown : relative(cwd, file!).startsWith('..') ? file : relative(cwd, file!);
    // esbuild counts columns from 0; editors and compilers from 1.
    return `${where}:${line}:${Number(column) + 1}: syntax error: ${cause}`;
  }
  return `${shown}: cannot load: ${message.split('\n')[0]}`;
}

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
    throw new ConfigError(describeLoadFailure(shown, absolute, cwd, error as Error));
  }
  return validateConfig(raw, shown, dirname(absolute));
}
