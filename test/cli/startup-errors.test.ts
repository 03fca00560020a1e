import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type CliIo } from '../../src/cli/main';
import { demoPortsFromEnv, startDemoBackends } from '../../demo/start-demo-backends';
import { REPO_ROOT } from '../helpers/test-gateway';

async function run(args: string[]): Promise<{ code: number | undefined; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (text) => (out += text), err: (text) => (err += text) };
  const code = await main(args, io);
  return { code, out, err };
}

/** Runs bin/loom.js to the end. */
function runProcess(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/loom.js', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOOM_LOG_LEVEL: 'warn' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('a bad --port is one line, before anything loads', () => {
  it.each([
    ['abc', 'loom: --port must be an integer from 0 to 65535, got "abc"\n'],
    ['99999', 'loom: --port must be an integer from 0 to 65535, got "99999"\n'],
    ['-1', 'loom: --port must be an integer from 0 to 65535, got "-1"\n'],
    ['80.5', 'loom: --port must be an integer from 0 to 65535, got "80.5"\n'],
  ])('--port %s', async (port, expected) => {
    // The config does not exist: the port is checked first, so its error wins.
    expect(await run(['serve', '--config', '/nonexistent/loom.config.ts', `--port=${port}`])).toEqual({
      code: 2,
      out: '',
      err: expected,
    });
  });
});

describe('a port in use (a real process)', () => {
  it('names the port and exits 1 without a stack trace', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    const dir = mkdtempSync(join(tmpdir(), 'loom-port-'));
    writeFileSync(join(dir, 'bff.ts'), 'export default { policies: [] };\n');
    const spec = JSON.stringify(join(REPO_ROOT, 'test/fixtures/ratelimit/items/openapi.yaml'));
    writeFileSync(
      join(dir, 'loom.config.ts'),
      `export default { sources: [{ name: 'items', kind: 'openapi', spec: ${spec}, endpoint: 'http://127.0.0.1:1' }], bffs: { web: './bff.ts' } };\n`,
    );
    try {
      const { code, stderr } = await runProcess([
        'serve',
        '--config',
        join(dir, 'loom.config.ts'),
        '--port',
        String(port),
      ]);
      // Progress lines, then the fault: one line, no stack trace.
      expect(stderr.split('\n')).toEqual([
        'loom: loading and composing 1 source (items) for 1 BFF (web)...',
        expect.stringMatching(/^loom: composed in \d+ ms$/),
        `loom: cannot listen on 127.0.0.1:${port}: the port is in use by another process (EADDRINUSE)`,
        '',
      ]);
      expect(code).toBe(1);
    } finally {
      blocker.close();
    }
  }, 60_000);
});

describe('--version and --help', () => {
  it('prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await runProcess(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  }, 30_000);

  it('lists every environment variable the code reads', async () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) =>
        statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)],
      );
    const read = new Set<string>();
    for (const file of [
      ...files(join(REPO_ROOT, 'src')),
      join(REPO_ROOT, 'mesh.config.ts'),
      join(REPO_ROOT, 'demo/start-demo-backends.ts'),
    ]) {
      const text = readFileSync(file, 'utf8');
      for (const [, name] of text.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)) read.add(name!);
      for (const [, name] of text.matchAll(/'((?:LOOM|OTEL)_[A-Z0-9_]+)'/g)) read.add(name!);
    }
    expect(read.size).toBeGreaterThan(10);
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect([...read].filter((name) => !out.includes(name))).toEqual([]);
    expect(out).toContain('Exit codes: 0 ok, 1 error (bad config, breaking changes, cannot listen), 2 usage.');
  });
});

describe('demo backends take free ports', () => {
  it('lets two demos run side by side', async () => {
    const first = await startDemoBackends();
    try {
      const second = await startDemoBackends();
      try {
        const ports = [first, second].flatMap((demo) => [demo.catalog.port, demo.orders.port, demo.billing.port]);
        expect(new Set(ports).size).toBe(6);
        expect(ports).not.toContain(4101);
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
    }
  });

  it('reads fixed ports from the environment', () => {
    expect(demoPortsFromEnv({ LOOM_DEMO_CATALOG_PORT: '4101', LOOM_DEMO_ORDERS_PORT: '' })).toEqual({
      catalog: 4101,
      orders: 0,
      billing: 0,
      issuer: 4104,
    });
    expect(demoPortsFromEnv({ LOOM_DEMO_ISSUER_PORT: '0' }).issuer).toBe(0);
    expect(() => demoPortsFromEnv({ LOOM_DEMO_BILLING_PORT: 'x' })).toThrow(
      'LOOM_DEMO_BILLING_PORT must be a port from 0 to 65535, got "x"',
    );
  });
});
