import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RunningBackend } from '../../demo/http-backend';
import { validateConfig } from '../../src/config/validate-config';
import { createGateway } from '../../src/server/create-gateway';
import { listen } from '../../src/server/create-http-server';
import { postGraphql, REPO_ROOT } from '../helpers/test-gateway';
import { watch } from '../helpers/watch-loom-output';
import { startHeldItemsBackend } from '../helpers/held-items-backend';

/** A temp dir with a BFF file and a config over `endpoint`; returns the config path. */
function writeProject(endpoint: string, extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'loom-drain-'));
  writeFileSync(join(dir, 'bff.ts'), 'export default { policies: [] };\n');
  const spec = JSON.stringify(join(REPO_ROOT, 'test/fixtures/ratelimit/items/openapi.yaml'));
  writeFileSync(
    join(dir, 'loom.config.ts'),
    `export default { sources: [{ name: 'items', kind: 'openapi', spec: ${spec}, endpoint: ${JSON.stringify(endpoint)} }], bffs: { web: './bff.ts' }${extra} };\n`,
  );
  return join(dir, 'loom.config.ts');
}

/** The config of writeProject, validated as `loom serve` would. */
function configOver(backend: RunningBackend) {
  const file = writeProject(backend.url);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return validateConfig(require(file).default, file, dirname(file));
}

const itemQuery = { query: '{ getItem(id: "7") { id name } }' };

describe('RunningServer.drain', () => {
  it('lets the request in flight finish, turns /readyz 503 and stops accepting', async () => {
    const { backend, arrived, release } = await startHeldItemsBackend({ holdEvery: true });
    const gateway = await createGateway({ config: configOver(backend) });
    const server = await listen({ gateway }, 0);
    try {
      const answer = postGraphql(`${server.url}/web/graphql`, itemQuery);
      await arrived;
      const drained = server.drain(60_000);
      const ready = await gateway.fetch(new Request('http://loom.in-process/readyz'));
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ ready: false, draining: true });
      await expect(fetch(`${server.url}/healthz`)).rejects.toThrow('fetch failed');
      release();
      const { status, headers, body } = await answer;
      expect({ status, body }).toEqual({ status: 200, body: { data: { getItem: { id: '7', name: 'Item 7' } } } });
      expect(headers.get('connection')).toBe('close');
      expect(await drained).toBe('drained');
    } finally {
      release();
      await server.close();
      await gateway.close();
      await backend.close();
    }
  });

  it('cuts what is still running when the deadline passes', async () => {
    const { backend, arrived, release } = await startHeldItemsBackend({ holdEvery: true });
    const gateway = await createGateway({ config: configOver(backend) });
    const server = await listen({ gateway }, 0);
    try {
      const answer = postGraphql(`${server.url}/web/graphql`, itemQuery);
      await arrived;
      expect(await server.drain(1)).toBe('forced');
      await expect(answer).rejects.toThrow('fetch failed');
    } finally {
      release();
      await gateway.close();
      await backend.close();
    }
  });
});

/** Collects a child's output; `waitFor` resolves once `marker` shows up on the stream. */
/** `loom serve` as its own process, over a project written for `writeProject(endpoint, extra)`. */
function serveProject(endpoint: string, extra = ''): ChildProcess {
  // --quiet: stderr then holds only the shutdown lines these tests read.
  return spawn(
    process.execPath,
    ['bin/loom.js', 'serve', '-q', '--config', writeProject(endpoint, extra), '--port', '0'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, LOOM_LOG_LEVEL: 'warn' },
    },
  );
}

describe('loom serve on SIGTERM (a real process)', () => {
  it('answers the request in flight in full, then exits 0', async () => {
    const { backend, arrived, release } = await startHeldItemsBackend({ holdEvery: true });
    const child = serveProject(backend.url);
    const output = watch(child);
    try {
      const [, url] = await output.waitFor('stdout', /ready on (http:\/\/127\.0\.0\.1:\d+)/);
      const answer = postGraphql(`${url}/web/graphql`, itemQuery);
      await arrived;
      child.kill('SIGTERM');
      await output.waitFor('stderr', /draining/);
      release();
      expect((await answer).body).toEqual({ data: { getItem: { id: '7', name: 'Item 7' } } });
      expect(await output.exited).toBe(0);
      expect(output.text.stderr).toBe(
        'loom: SIGTERM: draining (up to 25000 ms for requests in flight)\nloom: stopped\n',
      );
    } finally {
      release();
      if (child.exitCode === null) child.kill('SIGKILL');
      await backend.close();
    }
  }, 60_000);

  it('exits at once, with 1, on a second signal', async () => {
    const { backend, arrived, release } = await startHeldItemsBackend({ holdEvery: true });
    const child = serveProject(backend.url);
    const output = watch(child);
    try {
      const [, url] = await output.waitFor('stdout', /ready on (http:\/\/127\.0\.0\.1:\d+)/);
      const answer = postGraphql(`${url}/web/graphql`, itemQuery).catch((error: Error) => error.message);
      await arrived;
      child.kill('SIGTERM');
      await output.waitFor('stderr', /draining/);
      child.kill('SIGINT');
      expect(await output.exited).toBe(1);
      expect(await answer).toBe('fetch failed');
      expect(output.text.stderr).toBe(
        'loom: SIGTERM: draining (up to 25000 ms for requests in flight)\nloom: SIGINT again: exiting without waiting\n',
      );
    } finally {
      release();
      if (child.exitCode === null) child.kill('SIGKILL');
      await backend.close();
    }
  }, 60_000);

  it('exits 1 when shutdownTimeoutMs cuts a request', async () => {
    const { backend, arrived, release } = await startHeldItemsBackend({ holdEvery: true });
    const child = serveProject(backend.url, ', shutdownTimeoutMs: 10');
    const output = watch(child);
    try {
      const [, url] = await output.waitFor('stdout', /ready on (http:\/\/127\.0\.0\.1:\d+)/);
      const answer = postGraphql(`${url}/web/graphql`, itemQuery).catch((error: Error) => error.message);
      await arrived;
      child.kill('SIGTERM');
      expect(await output.exited).toBe(1);
      expect(await answer).toBe('fetch failed');
      expect(output.text.stderr).toBe(
        'loom: SIGTERM: draining (up to 10 ms for requests in flight)\nloom: stopped after 10 ms with requests still in flight\n',
      );
    } finally {
      release();
      if (child.exitCode === null) child.kill('SIGKILL');
      await backend.close();
    }
  }, 60_000);
});
