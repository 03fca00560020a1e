import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  parse,
  printSchema,
  type GraphQLSchema,
} from 'graphql';
import { dedentBlockStringLines } from 'graphql/language/blockString';
import { Registry } from 'prom-client';
import { openApiHandler } from '../../src/handlers/openapi/openapi-handler';
import { createSchemaCache, type SchemaCache } from '../../src/handlers/schema-cache/schema-cache';
import { createSilentLogger } from '../../src/core/logger';
import type { LoadedSource } from '../../src/handlers/types';
import { startCatalogBackend } from '../../demo/catalog-backend';
import { FIXTURES, REPO_ROOT } from '../helpers/test-gateway';

interface CountingCache extends SchemaCache {
  readonly hits: number;
  readonly misses: number;
}

/** The real file cache, counting what its reads found. */
function countingCache(directory: string): CountingCache {
  const cache = createSchemaCache({ directory, logger: createSilentLogger() });
  const counts = { hits: 0, misses: 0 };
  return {
    read: (key) => {
      const found = cache.read(key);
      if (found) counts.hits++;
      else counts.misses++;
      return found;
    },
    write: (key, schema) => cache.write(key, schema),
    get hits() {
      return counts.hits;
    },
    get misses() {
      return counts.misses;
    },
  };
}

async function load(spec: string, schemaCache?: SchemaCache, name = 'fixture', endpoint = 'http://127.0.0.1:9') {
  return openApiHandler.load(
    { name, kind: 'openapi', spec, endpoint },
    { configDir: REPO_ROOT, logger: createSilentLogger(), metrics: new Registry(), schemaCache },
  );
}

/**
 * The one difference SDL brings: a description read back from a block string
 * loses leading and trailing blank lines and common indentation, as any
 * parsed GraphQL description does. Applied to the uncached side only.
 */
function asBlockStrings(schema: GraphQLSchema): GraphQLSchema {
  const normalize = (holder: { description?: string | null }) => {
    if (holder.description)
      holder.description = dedentBlockStringLines(holder.description.split(/\r\n|[\n\r]/g)).join('\n');
  };
  for (const directive of schema.getDirectives()) {
    normalize(directive);
    directive.args.forEach(normalize);
  }
  for (const type of Object.values(schema.getTypeMap())) {
    normalize(type);
    if (isObjectType(type) || isInterfaceType(type))
      for (const field of Object.values(type.getFields())) {
        normalize(field);
        field.args.forEach(normalize);
      }
    if (isInputObjectType(type)) Object.values(type.getFields()).forEach(normalize);
    if (isEnumType(type)) type.getValues().forEach(normalize);
  }
  return schema;
}

async function printed(
  source: Promise<LoadedSource>,
  normalize: (schema: GraphQLSchema) => GraphQLSchema = (schema) => schema,
): Promise<{ sdl: string; warnings: readonly string[] }> {
  const loaded = await source;
  await loaded.close?.();
  return { sdl: printSchema(normalize(loaded.schema)), warnings: loaded.warnings };
}

const cacheFiles = (directory: string) => readdirSync(directory).filter((file) => file.endsWith('.json'));

describe('schema cache (OpenAPI sources)', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'loom-schema-cache-test-'));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  it.each([
    join(REPO_ROOT, 'sources/catalog/openapi.yaml'),
    join(FIXTURES, 'openapi/swagger-petstore-3.yaml'),
    join(FIXTURES, 'openapi/redoc-petstore-discriminator.yaml'),
    join(FIXTURES, 'openapi/ory-kratos.json'),
    join(REPO_ROOT, 'test/fixtures/openapi-31/constructs.yaml'),
    join(REPO_ROOT, 'test/fixtures/openapi-split/api.yaml'),
  ])('%s: the schema read back is the schema generated, warnings included', async (spec) => {
    const cache = countingCache(join(scratch, 'cache'));
    const uncached = await printed(load(spec), asBlockStrings);
    const generated = await printed(load(spec, cache), asBlockStrings);
    const readBack = await printed(load(spec, cache));
    expect(cache.misses).toBe(1);
    expect(cache.hits).toBe(1);
    expect(generated).toEqual(uncached);
    expect(readBack).toEqual(uncached);
  });

  it('a source read back from the cache calls its backend the same way', async () => {
    const backend = await startCatalogBackend({ port: 0 });
    const cache = countingCache(join(scratch, 'cache'));
    const spec = join(REPO_ROOT, 'sources/catalog/openapi.yaml');
    try {
      await (await load(spec, cache, 'catalog', backend.url)).close?.();
      const source = await load(spec, cache, 'catalog', backend.url);
      expect(cache.hits).toBe(1);
      const result = await source.executor({
        document: parse('{ getCustomer(id: "2") { id name } listProducts(limit: 1) { id } }'),
        context: {},
      });
      await source.close?.();
      expect(result).toEqual({
        data: { getCustomer: { id: '2', name: 'Customer 2' }, listProducts: [{ id: expect.any(String) }] },
      });
      expect(backend.calls.count('getCustomer')).toBe(1);
      expect(backend.calls.count('listProducts')).toBe(1);
    } finally {
      await backend.close();
    }
  });

  it("a changed $ref'd file invalidates its source only", async () => {
    const split = join(scratch, 'split');
    cpSync(join(REPO_ROOT, 'test/fixtures/openapi-split'), split, { recursive: true });
    const other = join(REPO_ROOT, 'test/fixtures/openapi-31/constructs.yaml');
    const cache = countingCache(join(scratch, 'cache'));
    const before = await printed(load(join(split, 'api.yaml'), cache, 'split'));
    await printed(load(other, cache, 'other'));
    expect(cache.misses).toBe(2);
    // The entry file is unchanged; the file it references gains a property.
    const schemas = join(split, 'schemas.yaml');
    writeFileSync(
      schemas,
      readFileSync(schemas, 'utf8').replace('  properties:\n', '  properties:\n    addedLater: { type: string }\n'),
    );
    const after = await printed(load(join(split, 'api.yaml'), cache, 'split'));
    await printed(load(other, cache, 'other'));
    expect(cache.misses).toBe(3);
    expect(cache.hits).toBe(1);
    expect(before.sdl).not.toContain('addedLater');
    expect(after.sdl).toContain('addedLater: String');
    expect(cacheFiles(join(scratch, 'cache'))).toHaveLength(3);
  });

  it('the endpoint and the name are part of the key', async () => {
    const spec = join(REPO_ROOT, 'test/fixtures/openapi-split/api.yaml');
    const cache = countingCache(join(scratch, 'cache'));
    await printed(load(spec, cache, 'a', 'http://127.0.0.1:9'));
    await printed(load(spec, cache, 'a', 'http://127.0.0.1:10'));
    await printed(load(spec, cache, 'b', 'http://127.0.0.1:9'));
    expect(cache.misses).toBe(3);
  });

  describe('hostile cache files are misses, then rewritten', () => {
    const spec = join(REPO_ROOT, 'test/fixtures/openapi-split/api.yaml');
    const damage: Array<[string, (text: string) => string | Buffer]> = [
      ['truncated', (text) => text.slice(0, Math.floor(text.length / 2))],
      ['empty', () => ''],
      ['binary garbage', () => Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3])],
      ['not an object', () => '[]'],
      ['SDL edited (checksum no longer matches)', (text) => text.replace('getWidget', 'getWidgex')],
      ['another format version', (text) => text.replace('"format":1', '"format":99')],
      ['warnings of the wrong type', (text) => text.replace('"warnings":[]', '"warnings":[42]')],
      ['a deeply nested JSON bomb', () => `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
    ];
    it.each(damage)('%s', async (_label, corrupt) => {
      const directory = join(scratch, 'cache');
      const cache = countingCache(directory);
      const expected = await printed(load(spec, cache));
      const [file] = cacheFiles(directory);
      const path = join(directory, file!);
      writeFileSync(path, corrupt(readFileSync(path, 'utf8')));
      expect(await printed(load(spec, cache))).toEqual(expected);
      expect(cache.hits).toBe(0);
      // Rewritten whole: the next start is a hit.
      expect(await printed(load(spec, cache))).toEqual(expected);
      expect(cache.hits).toBe(1);
    });

    it('a file holding another key is a miss', async () => {
      const directory = join(scratch, 'cache');
      const cache = countingCache(directory);
      await printed(load(spec, cache, 'a'));
      const [fileA] = cacheFiles(directory);
      await printed(load(join(REPO_ROOT, 'test/fixtures/openapi-31/constructs.yaml'), cache, 'b'));
      const fileB = cacheFiles(directory).find((file) => file !== fileA)!;
      cpSync(join(directory, fileB), join(directory, fileA!));
      const again = await printed(load(spec, cache, 'a'));
      expect(again.sdl).toContain('getWidget');
      expect(cache.hits).toBe(0);
    });
  });

  it('a folder other users can write to is not used (a planted schema could redirect a source)', async () => {
    const directory = join(scratch, 'shared');
    const spec = join(REPO_ROOT, 'test/fixtures/openapi-split/api.yaml');
    const cache = countingCache(directory);
    await printed(load(spec, cache));
    chmodSync(directory, 0o777);
    const planted = countingCache(directory);
    await printed(load(spec, planted));
    expect(planted.hits).toBe(0);
  });

  it('an unusable folder (a file in its place) costs nothing but the cache', async () => {
    const notAFolder = join(scratch, 'file');
    writeFileSync(notAFolder, 'x');
    const cache = countingCache(notAFolder);
    const spec = join(REPO_ROOT, 'test/fixtures/openapi-split/api.yaml');
    expect((await printed(load(spec, cache))).sdl).toContain('getWidget');
    expect((await printed(load(spec, cache))).sdl).toContain('getWidget');
    expect(cache.hits).toBe(0);
  });

  it('a spec whose closure cannot be read is not cached, and fails as before', async () => {
    const cache = countingCache(join(scratch, 'cache'));
    await expect(load(join(scratch, 'missing.yaml'), cache)).rejects.toThrow(
      /source "fixture": cannot load OpenAPI spec .*missing\.yaml/,
    );
    expect(cache.hits + cache.misses).toBe(0);
  });
});
