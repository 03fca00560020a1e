import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeLoadFailure } from '../../src/core/describe-load-failure';
import { REPO_ROOT } from '../helpers/test-gateway';

const run = promisify(execFile);

/**
 * bin/load-typescript.js, the hook a compiled run loads config and BFF files
 * through: each case runs in its own node process (the hook patches the
 * process's module loader), with a scratch cache folder.
 */
describe('bin/load-typescript.js (TypeScript files in a compiled run)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'loom-load-ts-'));
  const project = join(scratch, 'project');
  const cache = join(scratch, 'cache');
  mkdirSync(project);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /** Requires `file` with the hook installed; prints its default export as JSON, or the error's message. */
  async function load(file: string, env: Record<string, string> = {}): Promise<{ value?: unknown; error?: string }> {
    const script = `
      require(${JSON.stringify(join(REPO_ROOT, 'bin/load-typescript.js'))}).registerTypeScript();
      try {
        const loaded = require(${JSON.stringify(file)});
        process.stdout.write(JSON.stringify({ value: loaded.default ?? loaded }));
      } catch (error) {
        process.stdout.write(JSON.stringify({ error: error.message }));
      }`;
    const { stdout } = await run(process.execPath, ['-e', script], {
      env: { ...process.env, LOOM_TS_CACHE: cache, ...env },
    });
    return JSON.parse(stdout) as { value?: unknown; error?: string };
  }

  it('compiles TypeScript, resolves extensionless and .js imports of .ts files, and caches the output', async () => {
    writeFileSync(join(project, 'helper.ts'), 'export const twice = (n: number): number => n * 2;\n');
    writeFileSync(join(project, 'other.ts'), 'export const name: string = "other";\n');
    writeFileSync(
      join(project, 'config.ts'),
      [
        "import { twice } from './helper';",
        "import { name } from './other.js';",
        'interface Shape { total: number; name: string }',
        'export default { total: twice(21), name } satisfies Shape;',
      ].join('\n'),
    );
    expect(await load(join(project, 'config.ts'))).toEqual({ value: { total: 42, name: 'other' } });
    const cached = readdirSync(cache).filter((file) => file.endsWith('.js'));
    expect(cached).toHaveLength(3);
    // Warm: same answer from the cache, nothing new written.
    expect(await load(join(project, 'config.ts'))).toEqual({ value: { total: 42, name: 'other' } });
    expect(readdirSync(cache).filter((file) => file.endsWith('.js'))).toHaveLength(3);
  }, 60_000);

  it('recompiles a file whose text changed (the key is its content)', async () => {
    const file = join(project, 'edited.ts');
    writeFileSync(file, 'export default 1 as number;\n');
    expect(await load(file)).toEqual({ value: 1 });
    writeFileSync(file, 'export default 2 as number;\n');
    expect(await load(file)).toEqual({ value: 2 });
  }, 60_000);

  it('reports a syntax error as esbuild does, so config errors still read file:line:column', async () => {
    const file = join(project, 'broken.ts');
    writeFileSync(file, 'export default { port: 4000;\n');
    const { error } = await load(file);
    expect(error).toMatch(/^Transform failed with 1 error/);
    expect(describeLoadFailure('broken.ts', file, project, new Error(error))).toMatch(
      /^broken\.ts:1:28: syntax error: Expected "}" but found ";"/,
    );
  }, 60_000);

  it('compiles a project .js file written as an ES module, as tsx did', async () => {
    const file = join(project, 'esm-config.js');
    writeFileSync(file, 'export default { port: 4000 };\n');
    expect(await load(file)).toEqual({ value: { port: 4000 } });
  }, 60_000);

  it('does not use a cache folder other users can write to (a planted file would run), and still loads', async () => {
    const shared = join(scratch, 'shared-cache');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const file = join(project, 'plain.ts');
    writeFileSync(file, 'export default "plain" as string;\n');
    expect(await load(file, { LOOM_TS_CACHE: shared })).toEqual({ value: 'plain' });
    expect(readdirSync(shared)).toEqual([]);
  }, 60_000);

  it('works with the cache off', async () => {
    const file = join(project, 'uncached.ts');
    writeFileSync(file, 'export default [1, 2, 3].map((n: number) => n + 1);\n');
    expect(await load(file, { LOOM_TS_CACHE: 'off' })).toEqual({ value: [2, 3, 4] });
  }, 60_000);
});
