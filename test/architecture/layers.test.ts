import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');
const depcruise = join(root, 'node_modules/.bin/depcruise');
const config = join(root, '.dependency-cruiser.cjs');

async function cruise(cwd: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(depcruise, ['src', '--config', config, '--output-type', 'err'], { cwd });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, output: failed.stdout };
  }
}

/** A throwaway tree with a tsconfig, so the rules run on files that are not Loom's. */
async function plantTree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'loom-layers-'));
  await writeFile(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'commonjs', strict: true } }),
  );
  for (const [file, text] of Object.entries(files)) {
    await mkdir(join(dir, file, '..'), { recursive: true });
    await writeFile(join(dir, file), text);
  }
  return dir;
}

describe('one-way layers', () => {
  it.each([
    [
      'upstream -> config',
      'src/upstream/client.ts',
      "import type { Config } from '../config/types';\nexport type C = Config;\n",
      'no-upward-from-upstream',
    ],
    [
      'plugins -> bff',
      'src/plugins/use-x.ts',
      "import { defineBff } from '../bff/define-bff';\nexport const x = defineBff;\n",
      'no-upward-from-plugins',
    ],
    [
      'observability -> upstream',
      'src/observability/trace.ts',
      "import { pool } from '../upstream/pool';\nexport const p = pool;\n",
      'observability-imports-only-core',
    ],
    [
      'handlers -> demo',
      'src/handlers/h.ts',
      "import { start } from '../../demo/start';\nexport const s = start;\n",
      'no-demo-in-src',
    ],
  ])('fails on a planted back edge: %s', async (_edge, file, text, rule) => {
    const dir = await plantTree({
      [file]: text,
      'src/config/types.ts': 'export interface Config { a: number }\n',
      'src/bff/define-bff.ts': 'export const defineBff = 1;\n',
      'src/upstream/pool.ts': 'export const pool = 1;\n',
      'demo/start.ts': 'export const start = 1;\n',
    });
    try {
      const { code, output } = await cruise(dir);
      expect(code).not.toBe(0);
      expect(output).toContain(rule);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails on an import cycle', async () => {
    const dir = await plantTree({
      'src/cli/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
      'src/cli/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
    });
    try {
      const { code, output } = await cruise(dir);
      expect(code).not.toBe(0);
      expect(output).toContain('no-circular');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
