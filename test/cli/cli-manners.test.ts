import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type CliIo } from '../../src/cli/main';
import { COMMAND_HELP } from '../../src/cli/command-help';
import { REPO_ROOT } from '../helpers/test-gateway';

async function run(args: string[]): Promise<{ code: number | undefined; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (text) => (out += text), err: (text) => (err += text) };
  const code = await main(args, io);
  return { code, out, err };
}

/** A project over the items spec; nothing in it calls the backend, so the endpoint never answers. */
function writeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'loom-cli-'));
  writeFileSync(join(dir, 'bff.ts'), 'export default { policies: [] };\n');
  const spec = JSON.stringify(join(REPO_ROOT, 'test/fixtures/ratelimit/items/openapi.yaml'));
  writeFileSync(
    join(dir, 'loom.config.ts'),
    `export default { sources: [{ name: 'items', kind: 'openapi', spec: ${spec}, endpoint: 'http://127.0.0.1:1' }], bffs: { web: './bff.ts' } };\n`,
  );
  return join(dir, 'loom.config.ts');
}

describe('loom help <command> and <command> --help', () => {
  it.each(Object.keys(COMMAND_HELP))('%s: usage, options, environment, examples and exit codes', async (command) => {
    const viaHelp = await run(['help', command]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.err).toBe('');
    expect(viaHelp.out).toMatch(new RegExp(`^Usage: loom ${command} `));
    for (const heading of ['\nOptions:\n', '\nEnvironment:\n', '\nExamples:\n', '  -h, --help'])
      expect(viaHelp.out).toContain(heading);
    expect(viaHelp.out.trimEnd().split('\n').pop()).toBe(
      'Exit codes: 0 ok, 1 error (bad config, breaking changes, cannot listen), 2 usage.',
    );
    expect(await run([command, '--help'])).toEqual(viaHelp);
  });

  it('names the environment variables serve reads, with examples', async () => {
    const { out } = await run(['serve', '--help']);
    for (const name of ['LOOM_HOST', 'OTEL_SERVICE_NAME', 'OTEL_TRACES_SAMPLER', 'OTEL_EXPORTER_OTLP_PROTOCOL'])
      expect(out).toContain(name);
    expect(out).toContain('LOOM_HOST=0.0.0.0 loom serve');
  });

  it('sources add --help is the sources help', async () => {
    expect((await run(['sources', 'add', '--help'])).out).toMatch(/^Usage: loom sources add <name>/);
  });

  it('loom help alone is the whole help', async () => {
    expect((await run(['help'])).out).toBe((await run(['--help'])).out);
  });

  it('an unknown topic or command is a usage error (2) that points at loom help', async () => {
    expect(await run(['help', 'nope'])).toEqual({
      code: 2,
      out: '',
      err: 'loom: no help for "nope": commands are serve, compose, check, sources\n',
    });
    expect(await run(['nope'])).toEqual({
      code: 2,
      out: '',
      err: 'loom: unknown command "nope"\nRun "loom help" for the commands, "loom help <command>" for one.\n',
    });
    expect((await run(['serve', '--bogus'])).code).toBe(2);
  });
});

describe('progress lines go to stderr, data to stdout', () => {
  it('compose and check keep stdout to their output; --quiet drops the progress', async () => {
    const config = writeProject();
    const composed = await run(['compose', '--config', config]);
    expect(composed.code).toBe(0);
    expect(composed.out).toMatch(/^loom: wrote \S+web\.graphql\n$/);
    expect(composed.err.split('\n')).toEqual([
      'loom: loading and composing 1 source (items)...',
      expect.stringMatching(/^loom: composed in \d+ ms$/),
      '',
    ]);
    const checked = await run(['check', '--config', config]);
    expect(checked.code).toBe(0);
    expect(checked.out).toMatch(
      /^web: 0 breaking, 0 safe or dangerous change\(s\) against \S+\nloom check: no breaking changes\n$/,
    );
    expect(checked.err).toContain('loom: loading and composing 1 source (items)...\n');
    expect(await run(['check', '-q', '--config', config])).toEqual({ ...checked, err: '' });
  }, 60_000);
});

/** Runs bin/loom.js until `ready on` shows (then SIGTERM) or it exits. */
function serve(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['bin/loom.js', 'serve', '-q', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOOM_LOG_LEVEL: 'warn', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('ready on')) child.kill('SIGTERM');
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout, stderr })),
  );
}

describe('--host and LOOM_HOST (a real process)', () => {
  it('LOOM_HOST is bound; an address this machine lacks is one line and exit 1', async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine; binding it sends nothing.
    const { code, stdout, stderr } = await serve(['--config', writeProject(), '--port', '0'], {
      LOOM_HOST: '192.0.2.1',
    });
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toBe(
      'loom: cannot listen on 192.0.2.1:0: the host is not an address of this machine (EADDRNOTAVAIL)\n',
    );
  }, 60_000);

  it('--host wins over LOOM_HOST', async () => {
    const { code, stdout } = await serve(['--config', writeProject(), '--port', '0', '--host', '127.0.0.1'], {
      LOOM_HOST: '192.0.2.1',
    });
    expect(stdout).toMatch(/ready on http:\/\/127\.0\.0\.1:\d+ /);
    expect(code).toBe(0);
  }, 60_000);

  it.each([
    [['--host', ''], '--host must be a host name or an IP address, got ""'],
    [['--host', 'http://x/'], '--host must be a host name or an IP address, got "http://x/"'],
  ])('refuses %j before anything loads (exit 2)', async (args, message) => {
    expect(await run(['serve', '--config', '/nonexistent/loom.config.ts', ...args])).toEqual({
      code: 2,
      out: '',
      err: `loom: ${message}\n`,
    });
  });
});
