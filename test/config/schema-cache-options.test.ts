import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/config/validate-config';
import type { LoomConfig } from '../../src/config/types';
import { REPO_ROOT } from '../helpers/test-gateway';

const base: LoomConfig = {
  sources: [{ name: 'catalog', kind: 'openapi', spec: './sources/catalog/openapi.yaml' }],
  bffs: { web: './test/fixtures/bff/open.ts' },
};

function validate(schemaCache: unknown, env: string | undefined = undefined) {
  const saved = process.env.LOOM_SCHEMA_CACHE;
  if (env === undefined) delete process.env.LOOM_SCHEMA_CACHE;
  else process.env.LOOM_SCHEMA_CACHE = env;
  try {
    return validateConfig({ ...base, schemaCache } as LoomConfig, 'loom.config.ts', REPO_ROOT).schemaCache;
  } finally {
    if (saved === undefined) delete process.env.LOOM_SCHEMA_CACHE;
    else process.env.LOOM_SCHEMA_CACHE = saved;
  }
}

describe('config: schemaCache', () => {
  const userFolder = join(tmpdir(), `loom-schema-cache-${process.getuid!()}`);

  it('is on by default, in a folder of this user under the OS temp folder', () => {
    expect(validate(undefined)).toEqual({ directory: userFolder });
    expect(validate({})).toEqual({ directory: userFolder });
  });

  it('takes a folder (relative to the config) or false', () => {
    expect(validate({ directory: './.cache/schemas' })).toEqual({ directory: join(REPO_ROOT, '.cache/schemas') });
    expect(validate(false)).toBe(false);
  });

  it('LOOM_SCHEMA_CACHE wins: off, or a folder', () => {
    expect(validate({ directory: '/somewhere' }, 'off')).toBe(false);
    expect(validate(false, '/var/cache/loom')).toEqual({ directory: '/var/cache/loom' });
  });

  it.each([
    [true, 'loom.config.ts: schemaCache must be false or an object, got true'],
    ['/tmp/x', 'loom.config.ts: schemaCache must be false or an object, got "/tmp/x"'],
    [{ directory: '' }, 'loom.config.ts: schemaCache.directory must be a non-empty string'],
    [{ directory: 42 }, 'loom.config.ts: schemaCache.directory must be a non-empty string'],
  ])('refuses %j', (schemaCache, message) => {
    expect(() => validate(schemaCache)).toThrow(message);
  });

  it('names an unknown key', () => {
    expect(() => validate({ folder: '/tmp/x' })).toThrow(
      'loom.config.ts: unknown key "schemaCache.folder" (known keys: directory)',
    );
  });
});
