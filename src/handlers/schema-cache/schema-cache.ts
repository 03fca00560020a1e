import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../core/logger';

/** What a handler keeps of a generated schema: its SDL (directives included) and the load-time warnings. */
export interface CachedSchema {
  readonly sdl: string;
  readonly warnings: readonly string[];
  /**
   * Input types graphql-js treats as @oneOf. SDL cannot say "printed with a
   * @oneOf directive but not a oneOf input": Mesh marks its oneOf inputs with
   * the directive for its own resolvers, and graphql-js would start enforcing
   * it once the SDL is parsed again.
   */
  readonly oneOfInputTypes: readonly string[];
}

/**
 * Generated source schemas on disk, one file per key. A key is a content hash
 * (see schemaCacheKey): a changed spec is a new key, so nothing is ever
 * updated in place. Anything wrong with a file (truncated, edited, another
 * key's, unreadable) is a miss, never an error: the handler generates the
 * schema again and rewrites the file.
 */
export interface SchemaCache {
  read(key: string): CachedSchema | undefined;
  /** Best effort: a cache that cannot be written is logged once and start-up goes on. */
  write(key: string, schema: CachedSchema): void;
}

export interface SchemaCacheOptions {
  /** Folder of the cache files, created (mode 0700) when missing. */
  directory: string;
  logger: Logger;
}

/** Bumped when the file layout changes; part of every file, so an older layout is a miss. */
const FORMAT = 1;
/** A key is a hex SHA-256: anything else never reaches the file system. */
const KEY = /^[0-9a-f]{64}$/;

interface CacheFile {
  format: number;
  key: string;
  sdlSha256: string;
  sdl: string;
  warnings: string[];
  oneOfInputTypes: string[];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function parseCacheFile(text: string, key: string): CachedSchema | undefined {
  let file: Partial<CacheFile>;
  try {
    file = JSON.parse(text) as Partial<CacheFile>;
  } catch {
    return undefined;
  }
  if (!file || typeof file !== 'object' || file.format !== FORMAT || file.key !== key) return undefined;
  if (typeof file.sdl !== 'string' || file.sdlSha256 !== sha256(file.sdl)) return undefined;
  const isStringList = (value: unknown): value is string[] =>
    Array.isArray(value) && value.every((item) => typeof item === 'string');
  if (!isStringList(file.warnings) || !isStringList(file.oneOfInputTypes)) return undefined;
  return { sdl: file.sdl, warnings: file.warnings, oneOfInputTypes: file.oneOfInputTypes };
}

/**
 * The folder is trusted only when this user owns it and nobody else may write
 * to it: in a shared /tmp another user could otherwise plant a schema whose
 * directives point a source at their own server.
 */
function isPrivateFolder(directory: string): boolean {
  const stat = lstatSync(directory);
  const uid = process.getuid?.();
  return stat.isDirectory() && (uid === undefined || stat.uid === uid) && (stat.mode & 0o022) === 0;
}

export function createSchemaCache({ directory, logger }: SchemaCacheOptions): SchemaCache {
  let usable: boolean | undefined;
  const ensureFolder = (): boolean => {
    if (usable !== undefined) return usable;
    try {
      mkdirSync(directory, { recursive: true, mode: 0o700 });
      usable = isPrivateFolder(directory);
      if (!usable)
        logger.warn({ directory }, 'schema cache: folder is not private to this user (owner or mode); not used');
    } catch (error) {
      usable = false;
      logger.warn({ directory, err: (error as Error).message }, 'schema cache: folder unusable; not used');
    }
    return usable;
  };
  return {
    read(key) {
      if (!KEY.test(key) || !ensureFolder()) return undefined;
      try {
        return parseCacheFile(readFileSync(join(directory, `${key}.json`), 'utf8'), key);
      } catch {
        return undefined;
      }
    },
    write(key, schema) {
      if (!KEY.test(key) || !ensureFolder()) return;
      const file: CacheFile = {
        format: FORMAT,
        key,
        sdlSha256: sha256(schema.sdl),
        sdl: schema.sdl,
        warnings: [...schema.warnings],
        oneOfInputTypes: [...schema.oneOfInputTypes],
      };
      // Write then rename: a reader (another worker, a crash mid-write) sees the old file or the whole new one.
      const partial = join(directory, `${key}.${process.pid}.tmp`);
      try {
        writeFileSync(partial, JSON.stringify(file), { mode: 0o600 });
        renameSync(partial, join(directory, `${key}.json`));
      } catch (error) {
        logger.warn({ directory, err: (error as Error).message }, 'schema cache: cannot write; start-up goes on');
      }
    },
  };
}
