import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBffDefinition } from '../../src/bff/load-bff-definition';
import { ConfigError } from '../../src/core/errors';
import { startTestGateway } from '../helpers/test-gateway';

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
    ['export default { introspection: false, graphiql: true };', 'bff "x": graphiql needs introspection'],
    ['export default { exampleQuery: 3 };', 'bff "x": exampleQuery must be a string'],
    ['throw new Error("boom");', 'cannot load'],
  ])('%s', (source, message) => {
    const load = () => loadBffDefinition('x', bffFile(source));
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });

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
