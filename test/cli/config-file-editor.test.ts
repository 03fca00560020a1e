import { editSourcesList } from '../../src/cli/config-file-editor';
import { createScratchProject, runCli } from '../fixtures/sources-add/scratch-project';

const entry = { name: 'pets', kind: 'openapi', spec: './sources/pets/openapi.yaml', endpoint: 'http://127.0.0.1:9' };

describe('editing the sources list of a config file through its syntax tree', () => {
  it('appends in the file style: quotes, indentation, trailing comma; everything else byte for byte', () => {
    const text = [
      'import { defineConfig } from "./src/config";',
      '',
      'export default defineConfig({',
      '    sources: [',
      '        // the catalog',
      '        { name: "catalog", kind: "openapi", spec: "./c.yaml" }',
      '    ],',
      '    bffs: { web: "./web.ts" }, // keep me',
      '});',
      '',
    ].join('\n');
    const edit = editSourcesList(text, 'loom.config.ts');
    expect(edit.names).toEqual(['catalog']);
    expect(edit.withSource(entry)).toBe(
      text.replace(
        '"./c.yaml" }\n',
        '"./c.yaml" },\n        { name: "pets", kind: "openapi", spec: "./sources/pets/openapi.yaml", endpoint: "http://127.0.0.1:9" }\n',
      ),
    );
  });

  it('finds the list behind a const, `satisfies` and a shorthand property; fills an empty list', () => {
    const text =
      'const sources = [];\nconst config = { sources, bffs: {} } satisfies object;\nexport default config;\n';
    expect(editSourcesList(text, 'x.ts').withSource({ name: 'a' })).toBe(
      "const sources = [\n  { name: 'a' },\n];\nconst config = { sources, bffs: {} } satisfies object;\nexport default config;\n",
    );
  });

  it('replaces the entry of the same name in place (--force)', () => {
    const text = "export default { sources: [{ name: 'a', kind: 'x' }, { name: 'b' }] };\n";
    expect(editSourcesList(text, 'x.ts').withSource({ name: 'a', kind: 'y' })).toBe(
      "export default { sources: [{ name: 'a', kind: 'y' }, { name: 'b' }] };\n",
    );
  });

  it('removes an entry with its comment lines, and leaves a trailing comment with its own element', () => {
    const text = [
      'export default {',
      '  sources: [',
      "    { name: 'a' }, // about a",
      '    // about b',
      "    { name: 'b' },",
      "    { name: 'c' },",
      '  ],',
      '};',
      '',
    ].join('\n');
    const edit = editSourcesList(text, 'x.ts');
    expect(edit.withoutSource('b')).toBe(text.replace("    // about b\n    { name: 'b' },\n", ''));
    expect(edit.withoutSource('a')).toBe(text.replace("    { name: 'a' }, // about a\n", ''));
    expect(
      editSourcesList("export default { sources: [{ name: 'a' }, { name: 'b' }] };", 'x.ts').withoutSource('b'),
    ).toBe("export default { sources: [{ name: 'a' }] };");
  });

  it.each([
    [
      'no default export',
      'export const config = { sources: [] };',
      'x.ts: cannot edit the config: it has no `export default`',
    ],
    [
      'a computed config',
      'export default build();\n',
      'x.ts: cannot edit the config: its default export is not an object literal',
    ],
    [
      'a sources list from elsewhere',
      "import s from './s';\nexport default { sources: s };",
      'x.ts: cannot edit the config: `sources` is not a list written in the file',
    ],
    ['a syntax error', 'export default { sources: [ };\n', 'x.ts:1:'],
  ])('refuses %s with one line', (_case, text, message) => {
    expect(() => editSourcesList(text, 'x.ts')).toThrow(message);
  });

  it('the CLI refuses a config it cannot edit before reading any spec, and writes nothing', async () => {
    const project = createScratchProject();
    try {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(project.config, "import base from './base';\nexport default base;\n");
      const before = project.files();
      const result = await runCli([
        'sources',
        'add',
        'pets',
        '--openapi',
        'https://127.0.0.1:1/never-read.yaml',
        '--endpoint',
        'http://127.0.0.1:9',
        '--config',
        project.config,
      ]);
      expect(result).toEqual({
        code: 1,
        out: '',
        err: `loom: ${project.config}: cannot edit the config: its default export is not an object literal (or defineConfig({...})); add the source to it by hand\n`,
      });
      expect(project.files()).toEqual(before);
    } finally {
      project.remove();
    }
  });

  it.each([
    [
      ['--prefix', '1bad'],
      'loom: sources add: --prefix must match /^[A-Za-z_][A-Za-z0-9_]*$/ (it starts GraphQL type and field names)\n',
      1,
    ],
    [['--timeout', 'soon'], 'loom: --timeout must be a positive integer (ms), got "soon"\n', 2],
    [
      ['--endpoint', '127.0.0.1:9'],
      'loom: sources add: --endpoint must be an http(s) URL (e.g. http://127.0.0.1:8080), got "127.0.0.1:9"\n',
      1,
    ],
  ])('the CLI refuses bad flags %j', async (flags, err, code) => {
    const result = await runCli([
      'sources',
      'add',
      'x',
      '--openapi',
      'x.yaml',
      '--endpoint',
      'http://127.0.0.1:9',
      ...flags,
    ]);
    expect(result).toEqual({ code, out: '', err });
  });
});
