import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main, type CliIo } from '../../src/cli/main';
import { REPO_ROOT } from '../helpers/test-gateway';

const FIXTURE = resolve(REPO_ROOT, 'test/fixtures/versions');

async function run(command: string, configFile: string) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { out: (text) => void (stdout += text), err: (text) => void (stderr += text) };
  const code = await main([command, '--config', configFile], io);
  return { code, stdout, stderr };
}

describe('loom check on a versioned BFF: each version against its own snapshot and persisted operations', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A scratch project: the crm source and a `shop` BFF whose v1 is `v1` (JavaScript source), beside a current v2. */
  function shopProject(v1: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'loom-versions-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, 'mesh.config.js'),
      `module.exports = { sources: [{ name: 'crm', kind: 'openapi', spec: ${JSON.stringify(join(FIXTURE, 'crm-openapi.yaml'))}, endpoint: 'http://127.0.0.1:9' }], bffs: { shop: './shop.js' } };\n`,
    );
    writeFileSync(
      join(dir, 'shop.js'),
      `module.exports = { currentVersion: 'v2', versions: { v1: ${v1}, v2: {} } };\n`,
    );
    return dir;
  }

  it('passes when v1 is still served as frozen through its mappings', async () => {
    const { code, stdout } = await run('check', join(FIXTURE, 'versions.config.ts'));
    expect(stdout).toContain('shop v1: 0 breaking, 0 safe or dangerous change(s) against');
    expect(stdout).toContain('schema/shop.v1.graphql');
    expect(stdout).toMatch(/persisted operations \(.*shop\.v1\.persisted\.json\): all valid/);
    expect(stdout).toMatch(/shop v2: 0 breaking, 0 safe or dangerous change\(s\) against .*schema\/shop\.graphql\n/);
    expect(code).toBe(0);
  });

  it('fails when the rename mapping is missing, naming the field and each persisted operation it breaks', async () => {
    const { code, stdout } = await run('check', join(FIXTURE, 'versions-unmapped.config.ts'));
    expect(code).toBe(1);
    expect(stdout).toContain('shop v1: 1 breaking, 1 safe or dangerous change(s)');
    expect(stdout).toContain("BREAKING  Field 'name' was removed from object type 'Customer' (Customer.name)");
    expect(stdout).toContain(
      'BROKEN    persisted operation CustomerCard 11bda8848e39c367066ce0e307839e3430f9894a43fecbc6d231a20bcc9832d1: Cannot query field "name" on type "Customer".',
    );
    expect(stdout).toContain(
      'BROKEN    persisted operation FirstCustomers 1321e1cd6b0916866b50c9b3bdb81640b0013525e4116ae0f02a4e61798ede15: Cannot query field "name" on type "Customer".',
    );
    expect(stdout).toContain('shop v2: 0 breaking');
    expect(stdout).toContain('loom check: breaking changes found');
  });

  it('fails with the version and mapping named when a mapping points at a field the graph no longer has', async () => {
    const dir = shopProject(`{ mappings: { renames: { 'Customer.name': 'Customer.displayName' } } }`);
    const { code, stderr } = await run('check', join(dir, 'mesh.config.js'));
    expect(code).toBe(1);
    expect(stderr).toContain(
      'bff "shop": versions.v1.mappings.renames "Customer.name": the current graph has no field "Customer.displayName"',
    );
  });

  it('compose writes one snapshot per version: the current one as schema/<bff>.graphql', async () => {
    const dir = shopProject(
      `{ snapshot: './frozen/v1.graphql', mappings: { renames: { 'Customer.name': 'Customer.fullName' } } }`,
    );
    const { code, stdout } = await run('compose', join(dir, 'mesh.config.js'));
    expect(code).toBe(0);
    expect(stdout).toContain(`wrote ${join(dir, 'frozen', 'v1.graphql')}`);
    expect(stdout).toContain(`wrote ${join(dir, 'schema', 'shop.graphql')}`);
    expect((await run('check', join(dir, 'mesh.config.js'))).code).toBe(0);
  });
});
