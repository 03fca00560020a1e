import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from '../helpers/test-gateway';
import { createScratchProject, runCli, type ScratchProject } from '../fixtures/sources-add/scratch-project';

describe('loom check on a graph that gained a source', () => {
  let project: ScratchProject;
  beforeAll(() => {
    project = createScratchProject();
    // A third BFF trimmed the old way, by what it hides.
    writeFileSync(join(project.dir, 'bff/legacy.ts'), "export default { view: { exclude: ['Mutation.delete*'] } };\n");
    const config = readFileSync(project.config, 'utf8');
    writeFileSync(
      project.config,
      config.replace("kiosk: './bff/kiosk.ts'", "kiosk: './bff/kiosk.ts', legacy: './bff/legacy.ts'"),
    );
  });
  afterAll(() => project?.remove());

  it('warns about a deny-list BFF that gains mutations, not about the allow-list or the whole-graph one', async () => {
    expect(await runCli(['compose', '--config', project.config])).toMatchObject({ code: 0 });
    const config = readFileSync(project.config, 'utf8');
    const pets = `{ name: 'pets', kind: 'openapi', spec: ${JSON.stringify(join(FIXTURES, 'openapi/swagger-petstore-3.yaml'))}, endpoint: 'http://127.0.0.1:9' },\n`;
    writeFileSync(project.config, config.replace('  ],\n  bffs', `    ${pets}  ],\n  bffs`));
    jest.resetModules(); // compose loaded the config before the edit
    const result = await runCli(['check', '--config', project.config]);
    expect(result.code).toBe(0);
    const warnings = result.out.split('\n').filter((line) => line.includes('WARNING'));
    expect(warnings).toEqual([
      '  WARNING   legacy is a deny-list view and gains 8 mutation(s): updatePet, addPet, updatePetWithForm, uploadFile, placeOrder and 3 more; make it an allow-list (view.allowList with view.include) so new sources stay off it',
    ]);
    expect(result.out).toContain('kiosk: 0 breaking, 0 safe or dangerous change(s)');
  });
});
