import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/test-gateway';
import { startHeldItemsBackend, type HeldItemsBackend } from '../helpers/held-items-backend';

const BFF = (fields: string) =>
  `export default { view: { allowList: true, include: ['Query.getItem', '${fields}'] } };\n`;

/** Collects a child's output; `waitFor` resolves once `marker` shows up on stdout. */
function watchOutput(child: ChildProcess) {
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ marker: RegExp; resolve: (match: RegExpExecArray) => void }> = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const match = waiter.marker.exec(stdout);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  child.stdout?.on('data', (chunk: Buffer) => ((stdout += chunk.toString()), check()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    lines: () => stdout.split('\n'),
    exited,
    waitFor: (marker: RegExp) =>
      Promise.race([
        new Promise<RegExpExecArray>((resolve) => (waiters.push({ marker, resolve }), check())),
        exited.then((code) =>
          Promise.reject(new Error(`loom exited with ${code} before ${marker}:\n${stdout}\n${stderr}`)),
        ),
      ]),
  };
}

const generation = (number: number) =>
  new RegExp(`"generation":${number},[^\\n]*"msg":"reload: new generation serving"`);

async function query(url: string, source: string) {
  const response = await fetch(`${url}/web/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: source }),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: unknown[] } };
}

/** Clients that ask without pause until stopped; every answer that is not a whole 200 is a failure. */
/** Waits until the load's clients have had more than `count` answers; returns the new count. */
async function answeredAfter(load: ReturnType<typeof startLoad>, count: number): Promise<number> {
  while (load.outcome.ok <= count) await new Promise((resolve) => setTimeout(resolve, 10));
  return load.outcome.ok;
}

function startLoad(url: string, clients: number) {
  let running = true;
  const outcome = { ok: 0, failures: [] as string[] };
  const client = async () => {
    while (running) {
      try {
        const { status, body } = await query(url, '{ getItem(id: "1") { id } }');
        if (status === 200 && JSON.stringify(body) === '{"data":{"getItem":{"id":"1"}}}') outcome.ok++;
        else outcome.failures.push(`${status} ${JSON.stringify(body)}`);
      } catch (error) {
        outcome.failures.push(String(error));
      }
    }
  };
  const done = Promise.all(Array.from({ length: clients }, client));
  return {
    outcome,
    stop: async () => {
      running = false;
      await done;
      return outcome;
    },
  };
}

describe('loom serve --watch: hot reload (a real process)', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let baseUrl: string | undefined;
  let items: HeldItemsBackend;
  beforeAll(async () => {
    items = await startHeldItemsBackend();
    dir = mkdtempSync(join(tmpdir(), 'loom-reload-'));
    writeFileSync(join(dir, 'bff.ts'), BFF('Item.id'));
    const spec = JSON.stringify(join(REPO_ROOT, 'test/fixtures/ratelimit/items/openapi.yaml'));
    writeFileSync(
      join(dir, 'loom.config.ts'),
      `export default { sources: [{ name: 'items', kind: 'openapi', spec: ${spec}, endpoint: ${JSON.stringify(items.backend.url)} }], bffs: { web: './bff.ts' } };\n`,
    );
  });
  afterAll(async () => {
    items?.release();
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((done) => child!.once('exit', done));
    }
    await items?.backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('swaps new graphs in under load with no failed request; a broken change keeps the old graph', async () => {
    child = spawn(
      process.execPath,
      ['bin/loom.js', 'serve', '--config', join(dir, 'loom.config.ts'), '--port', '0', '--watch'],
      { cwd: REPO_ROOT, env: { ...process.env, LOOM_LOG_LEVEL: 'info' } },
    );
    const output = watchOutput(child);
    const [, url] = await output.waitFor(/ready on (http:\/\/127\.0\.0\.1:\d+)/);
    baseUrl = url;
    await output.waitFor(/watching the config/);
    const load = startLoad(url!, 4);
    const served: number[] = [];

    // Two reloads by signal, the same files: the graph is rebuilt and swapped, clients see nothing.
    child.kill('SIGHUP');
    await output.waitFor(generation(2));
    served.push(await answeredAfter(load, served.at(-1) ?? 0));
    child.kill('SIGHUP');
    await output.waitFor(generation(3));
    served.push(await answeredAfter(load, served.at(-1) ?? 0));

    // A change to the BFF file adds a field, which then answers.
    expect((await query(url!, '{ getItem(id: "2") { id name } }')).status).toBe(400);
    writeFileSync(join(dir, 'bff.ts'), BFF('Item.{id,name}'));
    await output.waitFor(generation(4));
    expect(await query(url!, '{ getItem(id: "2") { id name } }')).toEqual({
      status: 200,
      body: { data: { getItem: { id: '2', name: 'Item 2' } } },
    });
    served.push(await answeredAfter(load, served.at(-1) ?? 0));

    // A broken BFF file: one error line naming the file and the fault; generation 4 keeps serving.
    writeFileSync(join(dir, 'bff.ts'), "export default { view: { allowList: 'yes', include: ['Query.*'] } };\n");
    const [failure] = await output.waitFor(/^.*"msg":"reload failed[^\n]*$/m);
    expect(JSON.parse(failure).msg).toBe(
      `reload failed (change to ${join(dir, 'bff.ts')}), generation 4 keeps serving: ${join(dir, 'bff.ts')}: bff "web": view.allowList must be true or false, got "yes"`,
    );
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).reload).toEqual({
      generation: 4,
      reloading: false,
      lastReloadAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastReloadOk: false,
      lastReloadError: `${join(dir, 'bff.ts')}: bff "web": view.allowList must be true or false, got "yes"`,
    });
    expect((await query(url!, '{ getItem(id: "3") { id name } }')).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^loom_reloads_total\{result="ok"\} 3$/m);
    expect(metrics).toMatch(/^loom_reloads_total\{result="error"\} 1$/m);
    expect(metrics).toMatch(/^loom_generation 4$/m);
    served.push(await answeredAfter(load, served.at(-1) ?? 0));

    // Fixed again: the next generation serves.
    writeFileSync(join(dir, 'bff.ts'), BFF('Item.{id,name}'));
    await output.waitFor(generation(5));

    const last = await answeredAfter(load, served.at(-1)!);
    const { ok, failures } = await load.stop();
    expect(failures).toEqual([]);
    // The clients were answered after every reload (answeredAfter waits for it; a stuck gateway times the test out).
    expect(served).toHaveLength(4);
    expect(ok).toBeGreaterThanOrEqual(last);
  });

  it('a request in flight finishes on the generation it started on, which then closes', async () => {
    const output = watchOutput(child!);
    const url = baseUrl!;
    const answer = query(url, '{ getItem(id: "held") { id name } }');
    await items.arrived;
    child!.kill('SIGHUP');
    await output.waitFor(generation(6));
    // Generation 5 still holds the request: it is not closed yet.
    expect(
      output.lines().some((line) => line.includes('previous generation closed') && line.includes('"generation":5')),
    ).toBe(false);
    items.release();
    expect(await answer).toEqual({ status: 200, body: { data: { getItem: { id: 'held', name: 'Item held' } } } });
    const [closed] = await output.waitFor(/^.*"generation":5,[^\n]*"msg":"reload: previous generation closed"[^\n]*$/m);
    expect(JSON.parse(closed)).toMatchObject({ generation: 5, unfinished: 0 });
  });
});
