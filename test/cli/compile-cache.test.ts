import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireWithStartCache } from '../helpers/require-with-start-cache';

/**
 * bin/compile-cache.js, the V8 code cache of a compiled run: each case runs
 * in its own node process (the cache patches the module loader), with a
 * scratch cache folder. The process exits after loading, which saves the cache.
 */
describe('bin/compile-cache.js (V8 code cache for CommonJS modules)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'loom-compile-cache-'));
  const project = join(scratch, 'project');
  const cache = join(scratch, 'cache');
  mkdirSync(project);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const load = (file: string, env: Record<string, string> = {}, flags: string[] = []) =>
    requireWithStartCache(
      { cacheModule: 'compile-cache.js', register: 'registerCompileCache', root: project, cacheDir: cache },
      file,
      env,
      flags,
    );

  it('runs modules the same from a cold and a warm cache, and the warm run compiles nothing', async () => {
    writeFileSync(join(project, 'helper.js'), 'exports.twice = (n) => n * 2;\n');
    writeFileSync(
      join(project, 'main.js'),
      "const { twice } = require('./helper');\nmodule.exports = { total: twice(21), file: __filename.endsWith('main.js'), resolved: require.resolve('./helper') === __dirname + '/helper.js' };\n",
    );
    const cold = await load(join(project, 'main.js'));
    expect(cold.value).toEqual({ total: 42, file: true, resolved: true });
    expect(cold.stats).toEqual({ hits: 0, misses: 2 });
    const warm = await load(join(project, 'main.js'));
    expect(warm.value).toEqual(cold.value);
    expect(warm.stats).toEqual({ hits: 2, misses: 0 });
  }, 60_000);

  it('runs the new text of a module edited since the cache was written', async () => {
    const file = join(project, 'edited.js');
    writeFileSync(file, 'module.exports = 1;\n');
    expect((await load(file)).value).toBe(1);
    // Same length, other text: the key is a hash of the text, not its size or time.
    writeFileSync(file, 'module.exports = 2;\n');
    const edited = await load(file);
    expect(edited.value).toBe(2);
    expect(edited.stats?.misses).toBe(1);
  }, 60_000);

  it('treats a truncated or garbage cache file as empty', async () => {
    const file = join(project, 'sturdy.js');
    writeFileSync(file, 'module.exports = "sturdy";\n');
    await load(file);
    const [cacheFile] = readdirSync(cache).filter((name) => name.endsWith('.bin'));
    truncateSync(join(cache, cacheFile!), 10);
    expect((await load(file)).value).toBe('sturdy');
    writeFileSync(join(cache, cacheFile!), Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3]));
    expect((await load(file)).value).toBe('sturdy');
    writeFileSync(join(cache, cacheFile!), Buffer.alloc(0));
    expect((await load(file)).value).toBe('sturdy');
  }, 60_000);

  it('keeps a hashbang line, dynamic import() and thrown errors working', async () => {
    writeFileSync(join(project, 'esm-dep.mjs'), 'export const answer = 42;\n');
    const file = join(project, 'tool.js');
    writeFileSync(file, "#!/usr/bin/env node\nmodule.exports = import('./esm-dep.mjs').then((m) => m.answer);\n");
    expect((await load(file)).value).toBe(42);
    expect((await load(file)).value).toBe(42);
    const throwing = join(project, 'throwing.js');
    writeFileSync(throwing, 'throw new Error("refused at load");\n');
    expect((await load(throwing)).error).toBe('refused at load');
  }, 60_000);

  it('keeps at most 8 cache files in its folder, dropping the least recently written', async () => {
    const crowded = join(scratch, 'crowded');
    mkdirSync(crowded, { mode: 0o700 });
    for (let index = 0; index < 10; index++) {
      const stale = join(crowded, `stale-${index}.bin`);
      writeFileSync(stale, 'x');
      utimesSync(stale, 1_000_000 + index, 1_000_000 + index);
    }
    const file = join(project, 'crowd.js');
    writeFileSync(file, 'module.exports = "crowd";\n');
    expect((await load(file, { LOOM_COMPILE_CACHE: crowded })).value).toBe('crowd');
    const left = readdirSync(crowded).sort();
    expect(left).toHaveLength(8);
    expect(left).not.toContain('stale-0.bin');
    expect(left.filter((name) => !name.startsWith('stale-'))).toHaveLength(1);
  }, 60_000);

  it('is not used from a folder other users can write to, nor when off', async () => {
    const shared = join(scratch, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const file = join(project, 'plain.js');
    writeFileSync(file, 'module.exports = "plain";\n');
    expect(await load(file, { LOOM_COMPILE_CACHE: shared })).toEqual({ value: 'plain' });
    expect(readdirSync(shared)).toEqual([]);
    expect(await load(file, { LOOM_COMPILE_CACHE: 'off' })).toEqual({ value: 'plain' });
  }, 60_000);
});
