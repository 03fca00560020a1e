import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../helpers/test-gateway';

const run = promisify(execFile);

interface PackedFile {
  path: string;
}

/**
 * The package as npm would publish it: built with `tsc -p tsconfig.build.json`
 * into a scratch copy (the work tree's dist/ is left alone), packed with
 * `npm pack`, unpacked into a scratch app's node_modules whose dependencies
 * are the repo's (no network), then used the way a team would: TypeScript
 * config and BFF files importing loom/config, loom/bff and loom/plugins.
 */
describe('npm package (npm run build + npm pack)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'loom-package-'));
  const packageDir = join(scratch, 'package-src');
  const appDir = join(scratch, 'app');
  let packedFiles: string[] = [];

  beforeAll(async () => {
    mkdirSync(packageDir);
    for (const entry of ['package.json', 'README.md', 'bin'])
      cpSync(join(REPO_ROOT, entry), join(packageDir, entry), { recursive: true });
    await run(process.execPath, [
      join(REPO_ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(REPO_ROOT, 'tsconfig.build.json'),
      '--outDir',
      join(packageDir, 'dist'),
      // Types are checked once by `npm run typecheck`; here only the emitted files matter.
      '--noCheck',
    ]);
    // --ignore-scripts: prepack would build again, here into the work tree.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], {
      cwd: packageDir,
    });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: PackedFile[] }>;
    packedFiles = packed!.files.map((file) => file.path);
    const installed = join(appDir, 'node_modules', 'loom');
    mkdirSync(installed, { recursive: true });
    await run('tar', ['-xzf', join(scratch, packed!.filename), '-C', installed, '--strip-components=1']);
    const { dependencies } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const name of Object.keys(dependencies)) {
      const link = join(appDir, 'node_modules', name);
      mkdirSync(join(link, '..'), { recursive: true });
      if (!existsSync(link)) symlinkSync(join(REPO_ROOT, 'node_modules', name), link, 'dir');
    }
  }, 240_000);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('packs the compiled code, its types and the bin, and no sources or tests', () => {
    for (const file of [
      'bin/loom.js',
      'bin/compiled-build.js',
      'dist/cli/main.js',
      'dist/config/index.js',
      'dist/config/index.d.ts',
      'dist/bff/index.js',
      'dist/bff/index.d.ts',
      'dist/plugins/index.js',
      'dist/plugins/index.d.ts',
      'package.json',
      'README.md',
    ])
      expect(packedFiles).toContain(file);
    expect(
      packedFiles.filter(
        (file) => /^(src|test|demo|bench)\//.test(file) || (file.endsWith('.ts') && !file.endsWith('.d.ts')),
      ),
    ).toEqual([]);
  });

  it('resolves loom/config, loom/bff and loom/plugins from an app, and nothing else', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '-e',
        `console.log(JSON.stringify([
          typeof require('loom/config').defineConfig,
          typeof require('loom/bff').defineBff,
          typeof require('loom/plugins').useRateLimit,
          require('loom/package.json').version,
        ]));
        try { require('loom/dist/cli/main.js'); console.log('deep import allowed'); }
        catch (error) { console.log(error.code); }`,
      ],
      { cwd: appDir },
    );
    expect(stdout.trim().split('\n')).toEqual([
      JSON.stringify(['function', 'function', 'function', '0.1.0']),
      'ERR_PACKAGE_PATH_NOT_EXPORTED',
    ]);
  });

  it('runs the installed bin on a TypeScript config and BFF file that import the package', async () => {
    mkdirSync(join(appDir, 'bff'), { recursive: true });
    cpSync(join(REPO_ROOT, 'sources/catalog/openapi.yaml'), join(appDir, 'catalog.yaml'));
    writeFileSync(
      join(appDir, 'mesh.config.ts'),
      `import { defineConfig } from 'loom/config';
export default defineConfig({
  sources: [{ name: 'catalog', kind: 'openapi', spec: './catalog.yaml', endpoint: 'http://127.0.0.1:9' }],
  bffs: { web: './bff/web.ts' },
});
`,
    );
    writeFileSync(
      join(appDir, 'bff/web.ts'),
      `import { defineBff } from 'loom/bff';
import { useQueryLimits } from 'loom/plugins';
export default defineBff({ view: { include: ['Query.getCustomer'] }, policies: [useQueryLimits({ maxDepth: 4 })] });
`,
    );
    const bin = join(appDir, 'node_modules/loom/bin/loom.js');
    expect((await run(process.execPath, [bin, '--version'], { cwd: appDir })).stdout).toBe('0.1.0\n');
    const { stdout } = await run(process.execPath, [bin, 'compose'], { cwd: appDir });
    expect(stdout).toContain('web');
    const sdl = readFileSync(join(appDir, 'schema/web.graphql'), 'utf8');
    expect(sdl).toContain('getCustomer(');
    expect(sdl).not.toContain('listProducts');
  });

  it('loads the Kubernetes example project (deploy/k8s/project) with the installed package', async () => {
    const project = join(appDir, 'k8s-project');
    cpSync(join(REPO_ROOT, 'deploy/k8s/project'), project, { recursive: true });
    const bin = join(appDir, 'node_modules/loom/bin/loom.js');
    const { stdout } = await run(process.execPath, [bin, 'compose', '--config', 'k8s-project/mesh.config.ts'], {
      cwd: appDir,
    });
    expect(stdout).toContain('web');
    expect(readFileSync(join(project, 'schema/web.graphql'), 'utf8')).toContain('getCustomer(');
  });

  it("runs the demo from the container image's layout: dist/ and no src/ (the Dockerfile's runtime stage)", async () => {
    const image = join(scratch, 'image');
    mkdirSync(image);
    // The runtime stage's COPY lines: dist from the build, then package.json, bin and the demo project.
    cpSync(join(packageDir, 'dist'), join(image, 'dist'), { recursive: true });
    for (const entry of ['package.json', 'bin', 'mesh.config.ts', 'bff', 'sources', 'schema', 'demo'])
      cpSync(join(REPO_ROOT, entry), join(image, entry), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(image, 'node_modules'), 'dir');
    // The demo's BFF files import ../src/...: with no src/ they get dist/ (bin/compiled-build.js).
    const { stdout } = await run(process.execPath, ['bin/loom.js', 'check'], { cwd: image });
    expect(stdout).toContain('loom check: no breaking changes');
  });
});
