import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Loom's version from its package.json (two folders up from src/core and from dist/core alike). */
export function loomVersion(): string {
  return (JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;
}
