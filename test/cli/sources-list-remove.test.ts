import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from '../helpers/test-gateway';
import { createScratchProject, runCli, type ScratchProject } from '../fixtures/sources-add/scratch-project';

describe('loom sources list and remove', () => {
  let project: ScratchProject;
  let withPets: string;
  beforeAll(() => {
    project = createScratchProject();
    mkdirSync(join(project.dir, 'sources/pets'));
    cpSync(join(FIXTURES, 'openapi/swagger-petstore-3.yaml'), join(project.dir, 'sources/pets/openapi.yaml'));
    const config = readFileSync(project.config, 'utf8');
    withPets = config.replace(
      '  ],\n  bffs',
      "    // The pets team.\n    { name: 'pets', kind: 'openapi', spec: './sources/pets/openapi.yaml', endpoint: 'http://127.0.0.1:9/v3' },\n  ],\n  bffs",
    );
    writeFileSync(project.config, withPets);
  });
  afterAll(() => project?.remove());

  it('lists name, kind, spec and endpoint', async () => {
    const result = await runCli(['sources', 'list', '--config', project.config]);
    expect(result.code).toBe(0);
    expect(result.out.split('\n').map((line) => line.split('\t'))).toEqual([
      ['catalog', 'openapi', join(project.dir, 'sources/catalog/openapi.yaml'), 'http://127.0.0.1:9'],
      ['pets', 'openapi', join(project.dir, 'sources/pets/openapi.yaml'), 'http://127.0.0.1:9/v3'],
      [''],
    ]);
  });

  it('removes after a dry run of the gateway without it: config entry, its comment and its folder', async () => {
    const before = project.files();
    expect(await runCli(['sources', 'remove', 'pets', '--dry-run', '--config', project.config])).toMatchObject({
      code: 0,
      out: `loom: dry run: source "pets" would be removed from ${project.config}; nothing written\n`,
    });
    expect(project.files()).toEqual(before);
    const removed = await runCli(['sources', 'remove', 'pets', '--config', project.config]);
    expect(removed).toMatchObject({
      code: 0,
      out: `loom: removed source "pets" from ${project.config} and ./sources/pets/\n`,
    });
    expect(removed.err).toContain('loom: sources remove: composing 1 source(s) and building 2 BFF(s), as serve does\n');
    expect(readFileSync(project.config, 'utf8')).toBe(
      withPets.replace(
        "    // The pets team.\n    { name: 'pets', kind: 'openapi', spec: './sources/pets/openapi.yaml', endpoint: 'http://127.0.0.1:9/v3' },\n",
        '',
      ),
    );
    expect(existsSync(join(project.dir, 'sources/pets'))).toBe(false);
  });

  it('refuses a name the config does not have, with one line', async () => {
    expect(await runCli(['sources', 'remove', 'nope', '--config', project.config])).toEqual({
      code: 1,
      out: '',
      err: `loom: ${project.config}: no source "nope" written in its sources list\n`,
    });
  });
});

describe('loom sources add refuses broken input and writes nothing', () => {
  let project: ScratchProject;
  beforeAll(() => (project = createScratchProject()));
  afterAll(() => project?.remove());

  it('a spec that does not load: the handler fault, in the terms of the copy it would make', async () => {
    const broken = join(project.dir, 'broken.yaml');
    writeFileSync(broken, 'openapi: 3.0.0\npaths: {\n  /x: [unclosed\n');
    const before = project.files();
    const result = await runCli([
      'sources',
      'add',
      'broken',
      '--openapi',
      broken,
      '--endpoint',
      'http://127.0.0.1:9',
      '--config',
      project.config,
    ]);
    expect(result.code).toBe(1);
    expect(result.err.split('\n').filter((line) => !line.startsWith('loom: sources add:'))).toEqual([
      expect.stringMatching(/^loom: source "broken": cannot load OpenAPI spec \.\/sources\/broken\/broken\.yaml: .+$/),
      '',
    ]);
    expect(project.files()).toEqual(before);
  });
});
