import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type CliIo } from '../../src/cli/main';
import { loadConfig } from '../../src/cli/load-config';
import { REPO_ROOT } from '../helpers/test-gateway';

function project(): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'loom-sources-add-'));
  writeFileSync(join(dir, 'bff.ts'), 'export default { policies: [] };\n');
  const config = join(dir, 'loom.config.ts');
  writeFileSync(
    config,
    `export default {\n  sources: [\n    { name: 'catalog', kind: 'openapi', spec: ${JSON.stringify(join(REPO_ROOT, 'sources/catalog/openapi.yaml'))} },\n  ],\n  bffs: { web: './bff.ts' },\n};\n`,
  );
  return { dir, config };
}

async function run(args: string[]): Promise<{ code: number | undefined; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (text) => (out += text), err: (text) => (err += text) };
  const code = await main(args, io);
  return { code, out, err };
}

describe('loom sources add', () => {
  it('copies a valid spec into sources/<name>/ and registers it in the config', async () => {
    const { dir, config } = project();
    const result = await run([
      'sources',
      'add',
      'billing',
      '--wsdl',
      join(REPO_ROOT, 'sources/billing/billing.wsdl'),
      '--endpoint',
      'http://127.0.0.1:4103/billing',
      '--config',
      config,
    ]);
    expect(result).toEqual({
      code: 0,
      err: '',
      out: `loom: added soap source "billing" (3 root fields) from ./sources/billing/billing.wsdl to ${config}\n`,
    });
    expect(existsSync(join(dir, 'sources/billing/billing.wsdl'))).toBe(true);
    const loaded = loadConfig(config, dir);
    expect(loaded.sources.map((source) => [source.name, source.kind, source.endpoint])).toEqual([
      ['billing', 'soap', 'http://127.0.0.1:4103/billing'],
      ['catalog', 'openapi', undefined],
    ]);
  });

  it('refuses a spec that does not load, and writes nothing', async () => {
    const { dir, config } = project();
    const before = readFileSync(config, 'utf8');
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'openapi: 3.0.0\npaths: {\n  /x: [unclosed\n');
    const result = await run([
      'sources',
      'add',
      'broken',
      '--openapi',
      broken,
      '--endpoint',
      'http://127.0.0.1:9',
      '--config',
      config,
    ]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^loom: source "broken": cannot load OpenAPI spec .*broken\.yaml: .+\n$/);
    expect(readFileSync(config, 'utf8')).toBe(before);
    expect(existsSync(join(dir, 'sources/broken'))).toBe(false);
  });

  it.each([
    [
      ['sources', 'add', 'catalog', '--openapi', 'x.yaml', '--endpoint', 'http://127.0.0.1:9'],
      'sources add: x.yaml not found',
    ],
    [
      ['sources', 'add', 'two', '--openapi', 'a.yaml', '--proto', 'b.proto', '--endpoint', 'http://127.0.0.1:9'],
      'sources add: give exactly one of --openapi, --proto or --wsdl',
    ],
    [['sources', 'add', 'x', '--openapi', 'a.yaml'], 'sources add: --endpoint is required'],
    [
      ['sources', 'add', 'x', '--openapi', 'a.yaml', '--endpoint', '127.0.0.1:9'],
      'sources add: --endpoint must be an http(s) URL (e.g. http://127.0.0.1:8080), got "127.0.0.1:9"',
    ],
    [
      ['sources', 'add', 'x', '--proto', 'b.proto', '--endpoint', 'http://127.0.0.1:9'],
      'sources add: --endpoint must be host:port (e.g. 127.0.0.1:50051), got "http://127.0.0.1:9"',
    ],
  ])('refuses bad arguments: %j', async (args, message) => {
    const { config, dir } = project();
    const result = await run(
      [...args, '--config', config].map((arg) =>
        arg.endsWith('.yaml') || arg.endsWith('.proto') ? join(dir, arg) : arg,
      ),
    );
    expect(result.code).toBe(1);
    expect(result.err).toContain(message.replace('x.yaml', join(dir, 'x.yaml')));
  });

  it('refuses a name the config already has', async () => {
    const { config } = project();
    const result = await run([
      'sources',
      'add',
      'catalog',
      '--openapi',
      join(REPO_ROOT, 'sources/catalog/openapi.yaml'),
      '--endpoint',
      'http://127.0.0.1:9',
      '--config',
      config,
    ]);
    expect(result).toMatchObject({ code: 1, err: expect.stringContaining('already has a source "catalog"') });
  });
});
