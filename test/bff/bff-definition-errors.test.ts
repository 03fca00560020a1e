import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBffDefinition } from '../../src/bff/load-bff-definition';
import { ConfigError } from '../../src/core/errors';
import { REPO_ROOT, startTestGateway } from '../helpers/test-gateway';

describe('a bad BFF file fails start-up with one clear line', () => {
  let directory: string;
  const bffFile = (source: string) => {
    const file = join(directory, `b${Math.random().toString(36).slice(2)}.ts`);
    writeFileSync(file, source);
    return file;
  };

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'loom-bff-errors-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it.each([
    ['export default 42;', 'must export a BFF definition (use defineBff)'],
    ['export default { policies: {} };', 'bff "x": policies must be a list'],
    ["export default { view: ['Query.*'] };", 'bff "x": view must be an object'],
    ['export default { subscriptions: 3 };', 'bff "x": subscriptions must be an object'],
    ["export default { introspection: 'yes' };", 'bff "x": introspection must be true or false'],
    ["export default { deferStream: 'on' };", 'bff "x": deferStream must be true or false'],
    ['export default { introspection: false, graphiql: true };', 'bff "x": graphiql needs introspection'],
    ['export default { exampleQuery: 3 };', 'bff "x": exampleQuery must be a string'],
    ['throw new Error("boom");', 'cannot load'],
  ])('%s', (source, message) => {
    const load = () => loadBffDefinition('x', bffFile(source));
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });

  it('lists every fault of a BFF file at once, with the file, the path and a hint for unknown keys', () => {
    const file = bffFile(
      "export default { polices: [], view: { includ: ['Query.*'], renames: { Customer: 3 } }, policies: [42], subscriptions: { maxPerClent: 3 } };",
    );
    const load = () => loadBffDefinition('web', file);
    expect(load).toThrow(ConfigError);
    let message = '';
    try {
      load();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n')).toEqual([
      `${file}: bff "web": unknown key "polices" (did you mean "policies"?)`,
      `${file}: bff "web": unknown key "view.includ" (did you mean "view.include"?)`,
      `${file}: bff "web": view.renames.Customer must be a string, got 3`,
      `${file}: bff "web": policies[0] must be a plugin or a function of the BFF context that returns plugins, got 42`,
      `${file}: bff "web": unknown key "subscriptions.maxPerClent" (did you mean "subscriptions.maxPerClient"?)`,
    ]);
  });

  it('shows a syntax error in a BFF file with its line, column and cause (spawned loom check)', async () => {
    const bff = bffFile('export default { policies: [ ;\n');
    const config = join(directory, 'syntax.config.ts');
    writeFileSync(
      config,
      `export default { sources: [{ name: 'catalog', kind: 'openapi', spec: ${JSON.stringify(join(REPO_ROOT, 'sources/catalog/openapi.yaml'))} }], bffs: { web: ${JSON.stringify(bff)} } };\n`,
    );
    // --quiet: no progress lines, so stderr is the fault alone.
    const child = spawn(process.execPath, ['bin/loom.js', 'check', '--quiet', '--config', config], { cwd: REPO_ROOT });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toBe(`loom: ${bff}:1:30: syntax error: Unexpected ";"\n`);
  }, 60_000);

  it.each([
    [
      "export default { view: { hiddenArguments: { 'Query.getCustomer.tenant': 'a' } } };",
      'bff "web": view.hiddenArguments "Query.getCustomer.tenant": the gateway schema has no such argument',
    ],
    ["export default { view: { include: 'Query.*' } };", 'bff "web": view.include must be a list of glob patterns'],
    ["export default { view: { exclude: ['Query.*'] } };", 'bff "web": the view hides every Query field'],
    [
      "export default { exampleQuery: '{ listProducts { nope } }' };",
      'bff "web": exampleQuery does not fit the BFF\'s schema: Cannot query field "nope" on type "Product".',
    ],
    [
      "export default { exampleQuery: '{ listProducts { ' };",
      'bff "web": exampleQuery does not fit the BFF\'s schema: Syntax Error',
    ],
  ])('a view error stops the gateway: %s', async (source, message) => {
    const start = startTestGateway({
      sources: [
        { name: 'catalog', kind: 'openapi', spec: './sources/catalog/openapi.yaml', endpoint: 'http://127.0.0.1:9' },
      ],
      bffs: { web: bffFile(source) },
    });
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(message);
  });
});
