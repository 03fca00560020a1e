import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBffDefinition } from '../../../src/bff/load-bff-definition';

describe('a BFF file with versions: every fault at load, with the file and the path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-version-bff-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let count = 0;
  const load = (source: string) => {
    const file = join(dir, `bff-${count++}.js`);
    writeFileSync(file, `module.exports = ${source};\n`);
    return () => loadBffDefinition('shop', file);
  };

  it('refuses an unknown key inside a version, with a hint', () => {
    expect(load(`{ currentVersion: 'v2', versions: { v1: { mapings: {} }, v2: {} } }`)).toThrow(
      /bff-\d+\.js: bff "shop": unknown key "versions\.v1\.mapings" \(did you mean "versions\.v1\.mappings"\?\)/,
    );
  });

  it('refuses a wrong shape in a mapping and in routing', () => {
    expect(
      load(
        `{ currentVersion: 'v2', versions: { v1: { mappings: { computed: { 'A.b': { type: 'String', requires: 'x' } } } }, v2: {} } }`,
      ),
    ).toThrow(/bff "shop": versions\.v1\.mappings\.computed\["A\.b"\]\.resolve must be a function, got undefined/);
    expect(
      load(`{ currentVersion: 'v2', versions: { v1: {}, v2: {} }, versioning: { routing: { headers: 'x' } } }`),
    ).toThrow(
      /bff "shop": unknown key "versioning\.routing\.headers" \(did you mean "versioning\.routing\.header"\?\)/,
    );
  });

  it('reports what only the versions as a whole can tell (dates, references) at load too', () => {
    expect(load(`{ currentVersion: 'v3', versions: { v1: {}, v2: {} } }`)).toThrow(
      /bff-\d+\.js: bff "shop": currentVersion must name one of its versions \(v1, v2\), got "v3"/,
    );
    expect(
      load(`{ currentVersion: 'v2', versions: { v1: { deprecated: { since: 'next spring' } }, v2: {} } }`),
    ).toThrow(
      /bff "shop": versions\.v1\.deprecated\.since: expected an ISO date such as "2026-12-31", got "next spring"/,
    );
  });
});
