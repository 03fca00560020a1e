import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/**
 * Where a secret lives: an environment variable or a file (a mounted
 * Kubernetes or Docker secret). Never the config itself: a literal secret in
 * `mesh.config.ts` ends up in the repo.
 */
export type SecretRef = { env: string } | { file: string };

export function isSecretRef(value: unknown): value is SecretRef {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1) return false;
  const [key] = keys;
  const name = (value as Record<string, unknown>)[key];
  return (key === 'env' || key === 'file') && typeof name === 'string' && name !== '';
}

/** Names where a secret comes from, for messages: the variable or file, never the value. */
export const describeSecretRef = (ref: SecretRef) =>
  'env' in ref ? `environment variable ${ref.env}` : `file ${ref.file}`;

/**
 * The secret's value, read once at start-up. A file's trailing newline is
 * dropped (`echo secret > file`). The error names the variable or file only.
 */
export function readSecret(ref: SecretRef, what: string, baseDir = process.cwd()): string {
  let value: string | undefined;
  if ('env' in ref) value = process.env[ref.env];
  else {
    const path = isAbsolute(ref.file) ? ref.file : resolve(baseDir, ref.file);
    try {
      value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new Error(
        `${what}: cannot read ${describeSecretRef(ref)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  if (value === undefined || value === '') throw new Error(`${what}: ${describeSecretRef(ref)} is not set or empty`);
  return value;
}
