import { createHash } from 'node:crypto';
import stableStringify from 'fast-json-stable-stringify';

export interface SchemaCacheKeyParts {
  /** Loom's version: a new Loom may generate another schema from the same spec. */
  readonly loomVersion: string;
  /** The source options the generated schema depends on (kind, name, endpoint, ...). */
  readonly options: unknown;
  /** Every file of the spec's closure, by absolute path, with its bytes. */
  readonly files: ReadonlyMap<string, Buffer>;
}

/** SHA-256 over the version, the options and each file's path and content hash, in a stable order. */
export function schemaCacheKey({ loomVersion, options, files }: SchemaCacheKeyParts): string {
  const hash = createHash('sha256');
  hash.update(`loom ${loomVersion}\n`);
  hash.update(`${stableStringify(options)}\n`);
  for (const path of [...files.keys()].sort()) {
    hash.update(`${path}\n`);
    hash.update(createHash('sha256').update(files.get(path)!).digest('hex'));
    hash.update('\n');
  }
  return hash.digest('hex');
}
