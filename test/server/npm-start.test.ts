import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postGraphql, REPO_ROOT } from '../helpers/test-gateway';

/** Resolves with everything printed once `marker` shows up on stdout; rejects if the process exits first. */
function waitForOutput(child: ChildProcess, marker: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    let errors = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(marker)) resolve(output);
    });
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.once('exit', (code) =>
      reject(new Error(`npm start exited with ${code} before "${marker}":\n${output}\n${errors}`)),
    );
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    // npm runs node as a child: signal the whole process group.
    process.kill(-child.pid!, 'SIGTERM');
  });
}

describe('npm start (the README promise)', () => {
  it('serves the demo on http://127.0.0.1:4000 and answers a query', async () => {
    const child = spawn('npm', ['start'], {
      cwd: REPO_ROOT,
      detached: true,
      env: { ...process.env, NODE_ENV: 'development', LOOM_LOG_LEVEL: 'warn' },
    });
    try {
      const output = await waitForOutput(child, 'ready on http://127.0.0.1:4000');
      expect(output).toContain('web BFF on http://127.0.0.1:4000/web/graphql');
      const { status, body } = await postGraphql('http://127.0.0.1:4000/web/graphql', {
        query: '{ getCustomer(id: "2") { id name } }',
      });
      expect(status).toBe(200);
      expect(body).toEqual({ data: { getCustomer: { id: '2', name: 'Customer 2' } } });
      // README "Try it with a token": the issuer is up with the demo, and its token opens mutations.
      expect(output).toContain('loom: demo token issuer on http://127.0.0.1:4104');
      expect(output).toContain('loom: demo IoT API key (x-api-key): ');
      const mutation = {
        query: 'mutation { createProduct(input: { name: "Lamp", price: 12.5, currency: EUR }) { name } }',
      };
      expect((await postGraphql('http://127.0.0.1:4000/web/graphql', mutation)).status).toBe(401);
      const issued = await fetch('http://127.0.0.1:4104/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"sub":"ada","scope":"shop:write","plan":"pro"}',
      });
      const { access_token: token } = (await issued.json()) as { access_token: string };
      const created = await postGraphql('http://127.0.0.1:4000/web/graphql', mutation, {
        authorization: `Bearer ${token}`,
      });
      expect(created).toMatchObject({ status: 200, body: { data: { createProduct: { name: 'Lamp' } } } });
      const health = await fetch('http://127.0.0.1:4000/healthz');
      expect(await health.json()).toEqual({ status: 'ok' });
    } finally {
      await stop(child);
    }
  }, 60_000);
});

describe('a bad config run as a process', () => {
  it('exits non-zero with one line and no stack trace', async () => {
    const child = spawn(process.execPath, ['bin/loom.js', 'serve', '--config', 'does-not-exist.config.ts'], {
      cwd: REPO_ROOT,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toBe('loom: does-not-exist.config.ts: config file not found\n');
  }, 30_000);

  it('reports a config that does not compile with its line, column and cause', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loom-syntax-'));
    writeFileSync(join(dir, 'loom.config.ts'), 'export default { sources: [ ;\n');
    const child = spawn(process.execPath, ['bin/loom.js', 'serve', '--config', join(dir, 'loom.config.ts')], {
      cwd: REPO_ROOT,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toBe(`loom: ${join(dir, 'loom.config.ts')}:1:29: syntax error: Unexpected ";"\n`);
  }, 30_000);

  it('prints help with --help', async () => {
    const child = spawn(process.execPath, ['bin/loom.js', '--help'], { cwd: REPO_ROOT });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(stdout).toContain('loom serve   [--config mesh.config.ts] [--port 4000] [--host h] [--demo]');
  }, 30_000);
});
