import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../core/errors';
import { compareNames } from '../core/compare-names';

/** A BFF's name is its file name; it must be a valid URL segment (the config's rule for bff names). */
const BFF_FILE = /^([a-z][a-z0-9-]*)\.ts$/;

/**
 * Every `<name>.ts` in a directory as a `bffs` map for the config, so that
 * dropping `bff/partner.ts` serves `/partner/graphql` with no other change:
 * `bffs: discoverBffFiles(resolve(__dirname, 'bff'))`. Other files (manifests,
 * `.d.ts`, `*.test.ts`, names with capitals or dots) are skipped. Sorted, so
 * the order does not depend on the file system.
 */
export function discoverBffFiles(directory: string): Record<string, string> {
  if (!existsSync(directory)) throw new ConfigError(`${directory}: BFF directory not found`);
  const files = readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => BFF_FILE.exec(entry.name))
    .filter((match): match is RegExpExecArray => match !== null)
    .sort((left, right) => compareNames(left[1], right[1]));
  if (!files.length) throw new ConfigError(`${directory}: no BFF files (<name>.ts)`);
  return Object.fromEntries(files.map((match) => [match[1], join(directory, match[0])]));
}
