import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireWithStartCache } from '../helpers/require-with-start-cache';

/**
 * bin/resolve-cache.js, which remembers across starts where the requires of
 * <root>/dist and <root>/node_modules resolved to. Each case runs in its own
 * node process (the cache patches the module loader) on a scratch project;
 * the process exits after loading, which saves the map.
 */
describe('bin/resolve-cache.js (remembered module resolution)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'loom-resolve-cache-'));
  const project = join(scratch, 'project');
  const cache = join(scratch, 'cache');
  const dist = join(project, 'dist');
  const pkg = join(project, 'node_modules', 'pkg-a');

  beforeAll(() => {
    mkdirSync(join(dist, 'cli'), { recursive: true });
    mkdirSync(join(pkg, 'lib'), { recursive: true });
    writeFileSync(join(dist, 'cli', 'main.js'), '');
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'pkg-a', main: 'lib/a.js' }));
    writeFileSync(join(pkg, 'lib', 'a.js'), "module.exports = 'a';\n");
    writeFileSync(join(dist, 'helper.js'), "module.exports = 'helper';\n");
    writeFileSync(
      join(dist, 'main.js'),
      "module.exports = [require('pkg-a'), require('./helper'), require('node:path').sep, require.resolve('./helper')];\n",
    );
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const load = (file: string, env: Record<string, string> = {}, flags: string[] = []) =>
    requireWithStartCache(
      { cacheModule: 'resolve-cache.js', register: 'registerResolveCache', root: project, cacheDir: cache },
      file,
      env,
      flags,
    );

  const expected = ['a', 'helper', '/', join(dist, 'helper.js')];

  it('resolves the same from a cold and a warm cache, and the warm run asks Node for nothing', async () => {
    const cold = await load(join(dist, 'main.js'));
    expect(cold.value).toEqual(expected);
    // pkg-a and ./helper; node:path is Node's, and require.resolve (with no options) also goes through.
    expect(cold.stats).toEqual({ hits: 1, misses: 2 });
    const warm = await load(join(dist, 'main.js'));
    expect(warm.value).toEqual(expected);
    expect(warm.stats).toEqual({ hits: 3, misses: 0 });
  }, 60_000);

  it('resolves again when a remembered file is gone', async () => {
    await load(join(dist, 'main.js'));
    rmSync(join(pkg, 'lib', 'a.js'));
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'pkg-a', main: 'lib/b.js' }));
    writeFileSync(join(pkg, 'lib', 'b.js'), "module.exports = 'b';\n");
    try {
      const moved = await load(join(dist, 'main.js'));
      expect(moved.value).toEqual(['b', ...expected.slice(1)]);
      expect(moved.stats?.misses).toBe(1);
    } finally {
      writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'pkg-a', main: 'lib/a.js' }));
      writeFileSync(join(pkg, 'lib', 'a.js'), "module.exports = 'a';\n");
      rmSync(join(pkg, 'lib', 'b.js'));
    }
  }, 60_000);

  it('forgets everything when npm changed node_modules or the build changed', async () => {
    const lock = join(project, 'node_modules', '.package-lock.json');
    /** What npm does on an install: node_modules changes, and so does its .package-lock.json. */
    const install = (main: string, at: number) => {
      writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'pkg-a', main }));
      writeFileSync(lock, '{}');
      utimesSync(lock, at, at);
    };
    await load(join(dist, 'main.js'));
    expect((await load(join(dist, 'main.js'))).stats?.misses).toBe(0);
    // The remembered file still exists, but the package now points elsewhere: only the stamp can tell.
    writeFileSync(join(pkg, 'lib', 'c.js'), "module.exports = 'c';\n");
    try {
      install('lib/c.js', 1_000_000);
      const installed = await load(join(dist, 'main.js'));
      expect(installed.value).toEqual(['c', ...expected.slice(1)]);
      expect(installed.stats).toEqual({ hits: 1, misses: 2 });
      utimesSync(join(dist, 'cli', 'main.js'), 2_000_000, 2_000_000);
      expect((await load(join(dist, 'main.js'))).stats).toEqual({ hits: 1, misses: 2 });
    } finally {
      install('lib/a.js', 3_000_000);
      rmSync(join(pkg, 'lib', 'c.js'));
    }
    expect((await load(join(dist, 'main.js'))).value).toEqual(expected);
  }, 60_000);

  it('does not remember requires from outside dist/ and node_modules/, nor missing modules', async () => {
    const outside = join(project, 'config.js');
    writeFileSync(outside, "module.exports = require('./dist/helper');\n");
    expect(await load(outside)).toEqual({ value: 'helper', stats: { hits: 0, misses: 0 } });
    writeFileSync(join(dist, 'broken.js'), "module.exports = require('./nowhere');\n");
    const broken = await load(join(dist, 'broken.js'));
    expect(broken.error).toMatch(/Cannot find module '\.\/nowhere'/);
    expect(broken.stats).toEqual({ hits: 0, misses: 0 });
  }, 60_000);

  it('treats a garbage map as empty', async () => {
    await load(join(dist, 'main.js'));
    for (const name of readdirSync(cache).filter((entry) => entry.startsWith('resolve-')))
      writeFileSync(join(cache, name), '{"stamp": not json');
    const outcome = await load(join(dist, 'main.js'));
    expect(outcome.value).toEqual(expected);
    expect(outcome.stats?.misses).toBe(2);
  }, 60_000);

  it('ignores entries of a map that name something other than a file in dist/ or node_modules/', async () => {
    await load(join(dist, 'main.js'));
    const name = readdirSync(cache).find((entry) => entry.startsWith('resolve-'))!;
    const saved = JSON.parse(readFileSync(join(cache, name), 'utf8')) as { entries: Record<string, unknown> };
    const elsewhere = join(scratch, 'elsewhere.js');
    writeFileSync(elsewhere, "module.exports = 'planted';\n");
    const keys = Object.keys(saved.entries);
    expect(keys).toHaveLength(2);
    saved.entries[keys[0]!] = elsewhere;
    saved.entries[keys[1]!] = 42;
    writeFileSync(join(cache, name), JSON.stringify(saved));
    const outcome = await load(join(dist, 'main.js'));
    expect(outcome.value).toEqual(expected);
    expect(outcome.stats?.misses).toBe(2);
  }, 60_000);

  it('keeps one map per flag set, and at most 8 maps in its folder', async () => {
    await load(join(dist, 'main.js'));
    const maps = () => readdirSync(cache).filter((entry) => entry.startsWith('resolve-'));
    const before = maps().length;
    for (let flags = 1; flags <= 9; flags++) await load(join(dist, 'main.js'), {}, [`--stack-size=${900 + flags}`]);
    expect(before).toBe(1);
    expect(maps()).toHaveLength(8);
    // A flag set's map stays warm while others are written.
    expect((await load(join(dist, 'main.js'), {}, ['--stack-size=909'])).stats).toEqual({ hits: 3, misses: 0 });
  }, 120_000);

  it('is not used from a folder other users can write to, nor when off', async () => {
    const shared = join(scratch, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    expect(await load(join(dist, 'main.js'), { LOOM_COMPILE_CACHE: shared })).toEqual({ value: expected });
    expect(readdirSync(shared)).toEqual([]);
    expect(await load(join(dist, 'main.js'), { LOOM_COMPILE_CACHE: 'off' })).toEqual({ value: expected });
  }, 60_000);
});
