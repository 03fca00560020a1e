import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningBackend } from '../../demo/http-backend';
import { validateConfig } from '../../src/config/validate-config';
import { ConfigError } from '../../src/core/errors';
import { startItemsBackend } from '../fixtures/ratelimit/items-backend';
import { REPO_ROOT, startTestGateway } from '../helpers/test-gateway';

const spec = './test/fixtures/ratelimit/items/openapi.yaml';
const bffs = { web: './test/fixtures/bff/open.ts' };

describe('admin port', () => {
  it('is validated at load', () => {
    const config = { sources: [{ name: 'items', kind: 'openapi', spec }], bffs };
    expect(() => validateConfig({ ...config, admin: { port: 'x' } }, 'loom.config.ts', REPO_ROOT)).toThrow(
      new ConfigError('loom.config.ts: admin.port must be an integer from 0 to 65535, got "x"'),
    );
    expect(() => validateConfig({ ...config, port: 9000, admin: { port: 9000 } }, 'loom.config.ts', REPO_ROOT)).toThrow(
      new ConfigError('loom.config.ts: admin.port must differ from port (9000)'),
    );
    expect(validateConfig({ ...config, admin: { port: 9464 } }, 'loom.config.ts', REPO_ROOT).admin).toEqual({
      port: 9464,
      host: '127.0.0.1',
    });
  });

  describe('with an admin port configured', () => {
    let backend: RunningBackend;
    beforeAll(async () => (backend = await startItemsBackend()));
    afterAll(() => backend?.close());

    it('keeps /metrics and upstream URLs off the client surface', async () => {
      const gateway = await startTestGateway({
        sources: [{ name: 'items', kind: 'openapi', spec, endpoint: backend.url }],
        bffs,
        admin: { port: 0 },
      });
      try {
        const metrics = await gateway.fetch('/metrics');
        expect(metrics.status).toBe(404);
        expect(await metrics.json()).toEqual({ error: 'not found', bffs: ['/web/graphql'] });
        const ready = await gateway.fetch('/readyz');
        expect([ready.status, await ready.json()]).toEqual([200, { ready: true }]);
        // The portal links what this port serves, and nothing it refuses.
        const portal = await (await gateway.fetch('/')).text();
        expect(portal).toContain('<a href="/readyz">');
        expect(portal).not.toContain('/metrics');
        expect((await gateway.query('web', { query: '{ getItem(id: "1") { id } }' })).body).toEqual({
          data: { getItem: { id: '1' } },
        });

        const admin = (path: string) => gateway.gateway.adminFetch(new Request(`http://loom.in-process${path}`));
        const detailed = await (await admin('/readyz')).json();
        expect(detailed).toMatchObject({ ready: true, sources: [{ name: 'items', kind: 'openapi', loaded: true }] });
        expect(JSON.stringify(detailed.upstreams)).toContain(backend.url);
        expect(await (await admin('/metrics')).text()).toContain('loom_upstream_requests_total');
        expect((await admin('/web/graphql')).status).toBe(404);
      } finally {
        await gateway.close();
      }
    });

    it('serves everything on one port when none is configured', async () => {
      const gateway = await startTestGateway({
        sources: [{ name: 'items', kind: 'openapi', spec, endpoint: backend.url }],
        bffs,
      });
      try {
        expect((await gateway.fetch('/metrics')).status).toBe(200);
        expect(await (await gateway.fetch('/')).text()).toContain('<a href="/metrics">/metrics</a>');
        expect(await (await gateway.fetch('/readyz')).json()).toMatchObject({
          ready: true,
          sources: [{ name: 'items' }],
        });
      } finally {
        await gateway.close();
      }
    });

    it('loom serve listens on it (a real process)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'loom-admin-'));
      writeFileSync(join(dir, 'bff.ts'), 'export default { policies: [] };\n');
      const specFile = JSON.stringify(join(REPO_ROOT, spec));
      writeFileSync(
        join(dir, 'loom.config.ts'),
        `export default { sources: [{ name: 'items', kind: 'openapi', spec: ${specFile}, endpoint: '${backend.url}' }], bffs: { web: './bff.ts' }, admin: { port: 0 } };\n`,
      );
      const child = spawn(
        process.execPath,
        ['bin/loom.js', 'serve', '--config', join(dir, 'loom.config.ts'), '--port', '0'],
        { cwd: REPO_ROOT, env: { ...process.env, LOOM_LOG_LEVEL: 'warn' } },
      );
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      try {
        const stdout = await new Promise<string>((resolve, reject) => {
          let text = '';
          child.stdout.on('data', (chunk: Buffer) => {
            text += chunk.toString();
            if (text.includes('ready on')) resolve(text);
          });
          void exited.then((code) => reject(new Error(`exited ${code}: ${text}`)));
        });
        const adminUrl = /admin on (http:\/\/\S+) /.exec(stdout)?.[1];
        const publicUrl = /ready on (http:\/\/\S+) /.exec(stdout)?.[1];
        expect((await fetch(`${adminUrl}/metrics`)).status).toBe(200);
        expect((await fetch(`${publicUrl}/metrics`)).status).toBe(404);
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    }, 60_000);
  });
});
