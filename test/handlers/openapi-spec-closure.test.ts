import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readOpenApiSpecClosure, textHasOnlyLocalRefs } from '../../src/handlers/schema-cache/openapi-spec-closure';

/** Every `$ref` value the YAML parser sees (what the closure follows when it parses). */
function refValues(node: unknown, into: unknown[] = []): unknown[] {
  if (Array.isArray(node)) for (const child of node) refValues(child, into);
  else if (node && typeof node === 'object')
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref') into.push(value);
      else refValues(value, into);
    }
  return into;
}

const ONLY_LOCAL = [
  "paths:\n  /a:\n    $ref: '#/components/pathItems/A'\n",
  'schema:\n  $ref: "#/components/schemas/User"\n',
  '{"schema": {"$ref": "#/components/schemas/User"}, "other": {"$ref" : "#/x"}}',
  'schema: { $ref: "#/a", type: object }\n',
  'no refs at all: true\n',
  // An unquoted `#` after a space starts a comment: the value is null, not a file.
  'schema:\n  $ref: #/a\n',
];

const NEEDS_PARSER = [
  "schema:\n  $ref: './user.yaml#/User'\n",
  'schema:\n  $ref: user.yaml\n',
  // Escapes spell a key or a value the text does not show.
  '{"schema": {"\\u0024ref": "./user.yaml"}}',
  'schema:\n  "$ref": "\\x2e/user.yaml"\n',
  // The value on the next line, an alias, a block scalar.
  'schema:\n  $ref:\n    ./user.yaml\n',
  'base: &u ./user.yaml\nschema:\n  $ref: *u\n',
  'schema:\n  $ref: |-\n    ./user.yaml\n',
  // Words that only contain `$ref`.
  'description: use $ref to point elsewhere\n',
  'schema:\n  $refs: ./user.yaml\n',
];

describe('openapi-spec-closure: the text-only check for specs that name no other file', () => {
  it.each(ONLY_LOCAL)('knows from the text alone that %j names no other file', (text) => {
    expect(textHasOnlyLocalRefs(text)).toBe(true);
    // And the parser agrees: no $ref it would follow names a file.
    for (const value of refValues(parseYaml(text)))
      expect(typeof value !== 'string' || value.startsWith('#')).toBe(true);
  });

  it.each(NEEDS_PARSER)('leaves %j to the YAML parser', (text) => {
    expect(textHasOnlyLocalRefs(text)).toBe(false);
  });

  it('stays linear on a large text with many local refs and on long runs of spaces', () => {
    const many = 'a:\n' + '  - $ref: "#/components/schemas/X"\n'.repeat(50_000);
    expect(textHasOnlyLocalRefs(many)).toBe(true);
    expect(textHasOnlyLocalRefs(`$ref:${' '.repeat(100_000)}./far.yaml`)).toBe(false);
    expect(textHasOnlyLocalRefs('$ref'.repeat(100_000))).toBe(false);
  });

  describe('readOpenApiSpecClosure', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'loom-spec-closure-'));
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    it('a spec with only local refs is its own closure; an escaped external ref is still followed', () => {
      const single = join(scratch, 'single.yaml');
      writeFileSync(single, ONLY_LOCAL[0]!);
      expect([...readOpenApiSpecClosure(single)!.keys()]).toEqual([single]);
      const escaped = join(scratch, 'escaped.json');
      writeFileSync(escaped, '{"schema": {"\\u0024ref": "./user.yaml#/User"}}');
      writeFileSync(join(scratch, 'user.yaml'), 'User:\n  type: object\n');
      expect([...readOpenApiSpecClosure(escaped)!.keys()].sort()).toEqual([escaped, join(scratch, 'user.yaml')]);
    });

    it('an unparsable file whose refs need the parser has no closure (not cached), as before', () => {
      const broken = join(scratch, 'broken.yaml');
      writeFileSync(broken, 'schema:\n  $ref: ./user.yaml\n  : : [\n');
      expect(readOpenApiSpecClosure(broken)).toBeUndefined();
    });
  });
});
