import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/cli/load-config';
import { ConfigError } from '../../src/core/errors';
import { REPO_ROOT } from '../helpers/test-gateway';

/** A config as a new user might write it: five typos, each of which used to be ignored or fail late. */
const plantedConfig = `import { defineConfig } from ${JSON.stringify(join(REPO_ROOT, 'src/config'))};
export default defineConfig({
  sources: [
    {
      name: 'catalog',
      kind: 'openapi',
      spec: ${JSON.stringify(join(REPO_ROOT, 'sources/catalog/openapi.yaml'))},
      endpiont: 'http://127.0.0.1:4101',
      timeoutMS: 5000,
      upstream: { retry: { attemps: 3 } },
    },
    { name: 'billing', kind: 'soap', wsdl: ${JSON.stringify(join(REPO_ROOT, 'sources/billing/billing.wsdl'))}, endpoint: 'not a url' },
  ],
  link: [{ field: 'Order.customer', resolveWith: 'getCustomer', args: { id: '$source.customerId' } }],
  bffs: { web: './bff.ts' },
});
`;

/** The five faults, in the order they are written, after `<file>: `. */
const FAULTS = [
  'source "catalog": unknown key "endpiont" (did you mean "endpoint"?)',
  'source "catalog": unknown key "timeoutMS" (did you mean "timeoutMs"?)',
  'source "catalog": unknown key "upstream.retry.attemps" (did you mean "upstream.retry.maxRetries"?)',
  'source "billing": endpoint must be an http(s) URL (e.g. http://127.0.0.1:8080), got "not a url"',
  'unknown key "link" (did you mean "links"?)',
];

describe('a config with five planted typos', () => {
  let dir: string;
  let file: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'loom-typos-'));
    file = join(dir, 'loom.config.ts');
    writeFileSync(file, plantedConfig);
    writeFileSync(join(dir, 'bff.ts'), 'export default { policies: [] };\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports all five at once in-process, one line each with the file', () => {
    let error: unknown;
    try {
      loadConfig(file, REPO_ROOT);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message.split('\n')).toEqual(FAULTS.map((fault) => `${file}: ${fault}`));
  });

  it('makes `loom check` print the five lines and exit 1, without composing anything', async () => {
    const child = spawn(process.execPath, ['bin/loom.js', 'check', '--config', file], { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toBe(FAULTS.map((fault) => `loom: ${file}: ${fault}\n`).join(''));
  }, 30_000);

  it('makes `loom serve` refuse to start with the same five lines', async () => {
    const child = spawn(process.execPath, ['bin/loom.js', 'serve', '--config', file, '--port', '0'], {
      cwd: REPO_ROOT,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toBe(FAULTS.map((fault) => `loom: ${file}: ${fault}\n`).join(''));
  }, 30_000);
});
