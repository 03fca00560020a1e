import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { restartDelayMs } from '../../src/cli/workers/restart-delay';
import { REPO_ROOT } from '../helpers/test-gateway';
import { watch } from '../helpers/watch-loom-output';
import { startHeldItemsBackend, type HeldItemsBackend } from '../helpers/held-items-backend';

function writeProject(endpoint: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'loom-workers-'));
  writeFileSync(join(dir, 'bff.ts'), 'export default { policies: [] };\n');
  const spec = JSON.stringify(join(REPO_ROOT, 'test/fixtures/ratelimit/items/openapi.yaml'));
  writeFileSync(
    join(dir, 'loom.config.ts'),
    `export default { sources: [{ name: 'items', kind: 'openapi', spec: ${spec}, endpoint: ${JSON.stringify(endpoint)} }], bffs: { web: './bff.ts' }, shutdownTimeoutMs: 20000 };\n`,
  );
  return join(dir, 'loom.config.ts');
}

/** One query on a connection of its own, so the primary's round robin spreads them over the workers. */
function queryItem(url: string, id: string): Promise<{ status: number; body: unknown }> {
  const payload = JSON.stringify({ query: `{ getItem(id: "${id}") { id name } }` });
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/web/graphql`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', connection: 'close' } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Sum of the samples whose line starts with `prefix` (a metric name and the first labels). */
function counterSum(metrics: string, prefix: string): number {
  return metrics
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

describe('loom serve --workers (node:cluster, real processes)', () => {
  let items: HeldItemsBackend;
  let child: ChildProcess;
  let output: ReturnType<typeof watch>;
  let url: string;
  let pids: number[];

  beforeAll(async () => {
    items = await startHeldItemsBackend();
    child = spawn(
      process.execPath,
      ['bin/loom.js', 'serve', '--config', writeProject(items.backend.url), '--port', '0', '--workers', '2'],
      { cwd: REPO_ROOT, env: { ...process.env, LOOM_LOG_LEVEL: 'warn', LOOM_SCHEMA_CACHE: 'off' } },
    );
    output = watch(child);
    const ready = await output.waitFor(
      'stdout',
      /loom: 2 workers ready on (http:\/\/127\.0\.0\.1:\d+) \(pids (\d+), (\d+)\)/,
    );
    url = ready[1]!;
    pids = [Number(ready[2]), Number(ready[3])];
  }, 180_000);

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await items.backend.close();
  });

  it('prints the banner once and serves on one port', () => {
    expect(output.text.stdout.match(/web BFF on /g)).toHaveLength(1);
    expect(new Set(pids).size).toBe(2);
  });

  it("answers /metrics with every worker's counters summed", async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, index) => queryItem(url, String(index))));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(items.calls.count('getItem')).toBe(20);
    // Asked twice: whichever worker answers, the sum is the same (each worker alone saw about half).
    for (let scrape = 0; scrape < 2; scrape++) {
      const metrics = await (await fetch(`${url}/metrics`, { headers: { connection: 'close' } })).text();
      expect(counterSum(metrics, 'loom_requests_total{bff="web",operation="anonymous",status="200"}')).toBe(20);
      expect(counterSum(metrics, 'loom_upstream_requests_total{source="items",')).toBe(20);
    }
  });

  it('restarts a killed worker, after the first backoff', async () => {
    process.kill(pids[0]!, 'SIGKILL');
    await output.waitFor(
      'stderr',
      new RegExp(`worker 1 \\(pid ${pids[0]}\\) exited \\(signal SIGKILL\\); restarting in 100 ms`),
    );
    const again = await output.waitFor('stdout', /worker 1 \(pid (\d+)\) ready again/);
    expect(Number(again[1])).not.toBe(pids[0]);
    const answers = await Promise.all(Array.from({ length: 6 }, (_, index) => queryItem(url, `r${index}`)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(6).fill(200));
  }, 120_000);

  it('drains every worker on SIGTERM: the request in flight is answered, then exit 0', async () => {
    const inFlight = queryItem(url, 'held');
    await items.arrived;
    child.kill('SIGTERM');
    await output.waitFor('stderr', /loom: SIGTERM: draining 2 workers \(up to 20000 ms\)/);
    items.release();
    expect(await inFlight).toEqual({ status: 200, body: { data: { getItem: { id: 'held', name: 'Item held' } } } });
    expect(await output.exited).toBe(0);
    expect(output.text.stderr).toMatch(/loom: stopped\n$/);
  }, 120_000);
});

describe('--workers usage', () => {
  it.each(['0', 'many', '1.5', '999', ''])('refuses --workers %s with exit 2', async (value) => {
    const io = { out: jest.fn(), err: jest.fn() };
    expect(await main(['serve', '--workers', value], io)).toBe(2);
    expect(io.err).toHaveBeenCalledWith(
      `loom: --workers must be an integer from 1 to 256 or auto, got ${JSON.stringify(value)}\n`,
    );
  });

  it('backs off 100 ms, 200 ms, 400 ms ... up to 10 s', () => {
    expect([1, 2, 3, 4, 8, 30].map(restartDelayMs)).toEqual([100, 200, 400, 800, 10_000, 10_000]);
  });
});
