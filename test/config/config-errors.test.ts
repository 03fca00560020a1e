import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type CliIo } from '../../src/cli/main';
import { REPO_ROOT } from '../helpers/test-gateway';

/** Writes a config (and any extra files) into a fresh temp dir and returns the config path. */
function writeProject(config: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'loom-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, 'bff.ts'), 'export default { policies: [] };\n');
  const file = join(dir, 'loom.config.ts');
  writeFileSync(file, config);
  return file;
}

async function serveExpectingFailure(configFile: string): Promise<{ code: number | undefined; err: string }> {
  let err = '';
  const io: CliIo = { out: () => undefined, err: (text) => (err += text) };
  const code = await main(['serve', '--config', configFile, '--port', '0'], io);
  return { code, err };
}

const catalogSpec = join(REPO_ROOT, 'sources/catalog/openapi.yaml');

describe('bad config stops start-up with one line naming the source and the fault', () => {
  it('reports a missing spec file', async () => {
    const file = writeProject(
      `export default { sources: [{ name: 'catalog', kind: 'openapi', spec: './nope.yaml' }], bffs: { web: './bff.ts' } };`,
    );
    const { code, err } = await serveExpectingFailure(file);
    expect(code).toBe(1);
    expect(err).toMatch(/^loom: .*loom\.config\.ts: source "catalog": spec file \.\/nope\.yaml not found\n$/);
  });

  it('reports an unknown kind', async () => {
    const file = writeProject(
      `export default { sources: [{ name: 'ledger', kind: 'corba', spec: 'x' }], bffs: { web: './bff.ts' } };`,
    );
    const { code, err } = await serveExpectingFailure(file);
    expect(code).toBe(1);
    expect(err).toMatch(/source "ledger": kind must be one of openapi, grpc, soap, graphql, got "corba"\n$/);
  });

  it('reports invalid YAML in a spec', async () => {
    const file = writeProject(
      `export default { sources: [{ name: 'catalog', kind: 'openapi', spec: './broken.yaml' }], bffs: { web: './bff.ts' } };`,
      {
        'broken.yaml': 'openapi: 3.0.0\npaths: {\n  /x: [unclosed\n',
      },
    );
    const { code, err } = await serveExpectingFailure(file);
    expect(code).toBe(1);
    expect(err).toMatch(/^loom: source "catalog": cannot load OpenAPI spec .*broken\.yaml: .+\n$/);
    expect(err.split('\n')).toHaveLength(2);
  });

  it('reports a spec URL nobody answers', async () => {
    const file = writeProject(
      `export default { sources: [{ name: 'catalog', kind: 'openapi', spec: 'http://127.0.0.1:9/openapi.yaml' }], bffs: { web: './bff.ts' } };`,
    );
    const { code, err } = await serveExpectingFailure(file);
    expect(code).toBe(1);
    expect(err).toMatch(
      /^loom: source "catalog": cannot load OpenAPI spec http:\/\/127\.0\.0\.1:9\/openapi\.yaml: .+\n$/,
    );
  });

  it('reports a file that is not an OpenAPI document', async () => {
    const file = writeProject(
      `export default { sources: [{ name: 'catalog', kind: 'openapi', spec: './list.yaml' }], bffs: { web: './bff.ts' } };`,
      {
        'list.yaml': '- just\n- a list\n',
      },
    );
    const { err } = await serveExpectingFailure(file);
    expect(err).toContain('source "catalog": cannot load OpenAPI spec');
    expect(err).toContain('not an OpenAPI document');
  });

  it('reports two sources with one name, a missing BFF file and a missing config', async () => {
    const twice = writeProject(
      `export default { sources: [{ name: 'a', kind: 'openapi', spec: ${JSON.stringify(catalogSpec)} }, { name: 'a', kind: 'openapi', spec: ${JSON.stringify(catalogSpec)} }], bffs: { web: './bff.ts' } };`,
    );
    expect((await serveExpectingFailure(twice)).err).toContain('source "a": two sources have this name');
    const noBff = writeProject(
      `export default { sources: [{ name: 'a', kind: 'openapi', spec: ${JSON.stringify(catalogSpec)} }], bffs: { web: './missing.ts' } };`,
    );
    expect((await serveExpectingFailure(noBff)).err).toContain('bff "web": file ./missing.ts not found');
    const missing = await serveExpectingFailure('/nonexistent/loom.config.ts');
    expect(missing).toEqual({ code: 1, err: 'loom: /nonexistent/loom.config.ts: config file not found\n' });
  });

  it('reports a config that throws while loading', async () => {
    const file = writeProject("throw new Error('LOOM_SECRET_URL is not set');\n");
    const { code, err } = await serveExpectingFailure(file);
    expect(code).toBe(1);
    expect(err).toMatch(/^loom: .*loom\.config\.ts: cannot load: LOOM_SECRET_URL is not set\n$/);
  });
});
