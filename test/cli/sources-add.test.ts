import { copyFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../src/cli/load-config';
import { createGateway } from '../../src/server/create-gateway';
import { FIXTURES } from '../helpers/test-gateway';
import {
  createScratchProject,
  runCli,
  startSpecServer,
  type ScratchProject,
  type SpecServer,
} from '../fixtures/sources-add/scratch-project';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const PETSTORE = join(FIXTURES, 'openapi/swagger-petstore-3.yaml');
const REDOC = join(FIXTURES, 'openapi/redoc-petstore-discriminator.yaml');

describe('loom sources add: real specs into a project, one after another', () => {
  let project: ScratchProject;
  let specs: SpecServer;
  let petsBackend: Server;
  let petsEndpoint: string;
  let petCalls = 0;
  beforeAll(async () => {
    project = createScratchProject();
    petsBackend = createServer((_req, res) => {
      petCalls++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 7, name: 'Rex', photoUrls: [], status: 'available' }));
    });
    await new Promise<void>((done) => petsBackend.listen(0, '127.0.0.1', done));
    petsEndpoint = `http://127.0.0.1:${(petsBackend.address() as AddressInfo).port}/api/v3`;
    specs = await startSpecServer({
      '/soap/CyberSourceTransaction_1.26.wsdl': join(FIXTURES, 'soap/CyberSourceTransaction_1.26.wsdl'),
      '/soap/CyberSourceTransaction_1.26.xsd': join(FIXTURES, 'soap/CyberSourceTransaction_1.26.xsd'),
    });
    expect(await runCli(['compose', '--config', project.config])).toMatchObject({ code: 0 });
  });
  afterAll(async () => {
    project?.remove();
    await specs?.close();
    await new Promise((done) => petsBackend?.close(done));
  });

  it('adds an OpenAPI spec: copies it, edits the config in place, says which BFFs expose it', async () => {
    const before = readFileSync(project.config, 'utf8');
    const result = await runCli([
      'sources',
      'add',
      'pets',
      '--openapi',
      PETSTORE,
      '--endpoint',
      petsEndpoint,
      '--config',
      project.config,
    ]);
    expect(result.out).toBe(
      `loom: added openapi source "pets" (19 root fields, 1 file(s)) in ./sources/pets/ to ${project.config}\n`,
    );
    expect(result.code).toBe(0);
    // Progress on stderr, phase by phase; the allow-list BFF gains nothing, the whole-graph one all of it.
    expect(result.err).toMatch(/^loom: sources add: reading .*swagger-petstore-3\.yaml\n/);
    expect(result.err).toContain('loom: sources add: composing 2 source(s) and building 2 BFF(s), as serve does\n');
    expect(result.err).toContain('loom: sources add: exposed on: web: +8 Query, +11 Mutation; kiosk: +0\n');
    expect(result.err).toContain('loom: sources add: loom check: kiosk: 0 breaking, 0 safe or dangerous change(s)\n');
    expect(result.err).toMatch(/loom check: web: 0 breaking, \d+ safe or dangerous change\(s\)\n/);
    expect(readFileSync(join(project.dir, 'sources/pets/swagger-petstore-3.yaml'))).toEqual(readFileSync(PETSTORE));
    // The edit is an insertion after the last element: the comments and the rest stay byte for byte.
    const after = readFileSync(project.config, 'utf8');
    const added = [
      '    {',
      "      name: 'pets',",
      "      kind: 'openapi',",
      "      spec: './sources/pets/swagger-petstore-3.yaml',",
      `      endpoint: '${petsEndpoint}',`,
      '    },',
      '',
    ].join('\n');
    expect(after).toBe(
      before.replace("endpoint: 'http://127.0.0.1:9' },\n", `endpoint: 'http://127.0.0.1:9' },\n${added}`),
    );
  });

  it('reports every naming clash at once, writes nothing, and --prefix resolves them', async () => {
    const before = project.files();
    const args = ['sources', 'add', 'redoc', '--openapi', REDOC, '--endpoint', 'http://127.0.0.1:9/v2'];
    const refused = await runCli([...args, '--config', project.config]);
    expect(refused.code).toBe(1);
    const clashes = refused.err.split('\n').filter((line) => line.includes('both export'));
    // Pet, Category, Tag, Order, User, ApiResponse... and root fields: all in one run.
    expect(clashes.length).toBeGreaterThanOrEqual(8);
    expect(clashes).toContain(
      'loom: sources "pets" and "redoc" both export root field Query.getPetById; add a rename rule (rename.rootFieldPrefix or rename.rootFields) to one of them',
    );
    expect(clashes.some((line) => line.startsWith('loom: sources "pets" and "redoc" both export type Pet;'))).toBe(
      true,
    );
    expect(refused.err).toContain(
      `loom: sources add: ${clashes.length} naming clash(es); rerun with --prefix <p> to prefix "redoc"'s types and root fields (e.g. --prefix redoc_)\n`,
    );
    expect(project.files()).toEqual(before);

    const added = await runCli([...args, '--prefix', 'Redoc_', '--config', project.config]);
    expect(added).toMatchObject({ code: 0, out: expect.stringContaining('added openapi source "redoc"') });
    expect(readFileSync(project.config, 'utf8')).toContain(
      "rename: { typePrefix: 'Redoc_', rootFieldPrefix: 'Redoc_' }",
    );
  });

  it('adds a proto with its imports through --include-dir, laid out so they resolve', async () => {
    const entry = join(FIXTURES, 'grpc/examples/internal/proto/examplepb/echo_service.proto');
    const args = ['sources', 'add', 'echo', '--proto', entry, '--endpoint', '127.0.0.1:9', '--config', project.config];
    const before = project.files();
    const missing = await runCli(args);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(
      /^loom: \/.*\/echo_service\.proto: import "examples\/internal\/proto\/sub\/message\.proto" not found in \/.*\/examplepb \(add --include-dir <dir>\)$/m,
    );
    expect(project.files()).toEqual(before);

    const added = await runCli([...args, '--include-dir', join(FIXTURES, 'grpc')]);
    expect(added.err).not.toMatch(/loom: sources "/);
    expect(added).toMatchObject({
      code: 0,
      out: expect.stringMatching(/added grpc source "echo" \(\d+ root fields, 5 file\(s\)\)/),
    });
    const copied = [...project.files().keys()].filter((file) => file.startsWith('sources/echo/')).sort();
    expect(copied).toEqual([
      'sources/echo/examples/internal/proto/examplepb/echo_service.proto',
      'sources/echo/examples/internal/proto/sub/message.proto',
      'sources/echo/examples/internal/proto/sub2/message.proto',
      'sources/echo/google/api/annotations.proto',
      'sources/echo/google/api/http.proto',
    ]);
    expect(readFileSync(project.config, 'utf8')).toContain(
      "proto: './sources/echo/examples/internal/proto/examplepb/echo_service.proto',\n      includeDirs: ['./sources/echo'],",
    );
  });

  it('adds a WSDL from a URL with the XSD it imports', async () => {
    const url = `${specs.url}/soap/CyberSourceTransaction_1.26.wsdl`;
    const added = await runCli([
      'sources',
      'add',
      'payments',
      '--wsdl',
      url,
      '--endpoint',
      'http://127.0.0.1:9/soap',
      '--config',
      project.config,
    ]);
    expect(added).toMatchObject({ code: 0, out: expect.stringContaining('added soap source "payments"') });
    expect(added.err).toContain(`loom: sources add: reading ${specs.url}/soap/CyberSourceTransaction_1.26.xsd\n`);
    expect(readFileSync(join(project.dir, 'sources/payments/CyberSourceTransaction_1.26.xsd'))).toEqual(
      readFileSync(join(FIXTURES, 'soap/CyberSourceTransaction_1.26.xsd')),
    );
  });

  it('refuses an existing sources/<name>/ unless --force, and --dry-run writes nothing', async () => {
    const args = ['sources', 'add', 'pets', '--openapi', PETSTORE, '--endpoint', 'http://127.0.0.1:9/v3'];
    const before = project.files();
    const refused = await runCli([...args, '--config', project.config]);
    expect(refused).toEqual({
      code: 1,
      out: '',
      err: `loom: sources add: ${project.config} already has a source "pets" (--force replaces it)\n`,
    });
    const dryRun = await runCli([...args, '--force', '--dry-run', '--config', project.config]);
    expect(dryRun).toMatchObject({ code: 0, out: expect.stringContaining('dry run') });
    expect(project.files()).toEqual(before);
  });

  it('leaves a config that serves: every BFF answers, a new source field reaches its backend', async () => {
    // Earlier commands in this process loaded the config before it had the new sources: load a copy under a new
    // name (a module registry reset would load a second graphql beside the one the handlers already hold).
    const fresh = join(dirname(project.config), 'loom.fresh.config.ts');
    copyFileSync(project.config, fresh);
    const gateway = await createGateway({ config: loadConfig(fresh, project.dir) });
    try {
      for (const bff of ['web', 'kiosk']) {
        const response = await gateway.fetch(
          new Request(`http://loom.test/${bff}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
          }),
        );
        expect(await response.json()).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
      }
      const response = await gateway.fetch(
        new Request('http://loom.test/web/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ getPetById(petId: 7) { id name } }' }),
        }),
      );
      expect(await response.json()).toEqual({ data: { getPetById: { id: 7, name: 'Rex' } } });
      expect(petCalls).toBe(1);
    } finally {
      await gateway.close();
    }
  });
});
