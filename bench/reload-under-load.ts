/**
 * Hot reload under load: `loom serve --watch` in its own process over the
 * demo catalog, autocannon in another, and RELOADS reloads (SIGHUP, one after
 * the other, each waited for in the log) during one run; then a run of the
 * same length without reloads to compare latency. Prints failed requests and
 * p50/p99 of both. 127.0.0.1 only.
 *
 *   node bin/run-ts.js bench/reload-under-load.ts
 *
 * Env: DURATION (s per run, default 20), CONNECTIONS (default 20), RELOADS (default 10).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startCatalogBackend } from '../demo/catalog-backend';
import { autocannonProcess, type ProcessLoadResult } from './lib/autocannon-process';

const ROOT = resolve(__dirname, '..');
const DURATION = Number(process.env.DURATION ?? 20);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 20);
const RELOADS = Number(process.env.RELOADS ?? 10);
const QUERY = '{ getCustomer(id: "1") { id name } }';

const autocannon = (url: string, seconds: number) =>
  autocannonProcess({ url, connections: CONNECTIONS, seconds, query: QUERY });

/** Resolves with the first stdout line matching `marker` from now on. */
function nextLine(child: ChildProcess, marker: RegExp): Promise<string> {
  return new Promise((done) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n').find((candidate) => marker.test(candidate));
      if (line) {
        child.stdout?.off('data', onData);
        done(line);
      }
    };
    child.stdout?.on('data', onData);
  });
}

async function main() {
  const catalog = await startCatalogBackend();
  const dir = mkdtempSync(join(tmpdir(), 'loom-reload-bench-'));
  writeFileSync(join(dir, 'bff.ts'), 'export default {};\n');
  const spec = JSON.stringify(join(ROOT, 'sources/catalog/openapi.yaml'));
  writeFileSync(
    join(dir, 'loom.config.ts'),
    `export default { sources: [{ name: 'catalog', kind: 'openapi', spec: ${spec}, endpoint: ${JSON.stringify(catalog.url)}, headers: { 'x-api-key': 'demo-catalog-key' } }], bffs: { bench: './bff.ts' }, production: true };\n`,
  );
  const child = spawn(
    process.execPath,
    ['bin/loom.js', 'serve', '--config', join(dir, 'loom.config.ts'), '--port', '0'],
    {
      cwd: ROOT,
      env: { ...process.env, LOOM_LOG_LEVEL: 'info', NODE_ENV: 'production' },
    },
  );
  try {
    const ready = await nextLine(child, /ready on http/);
    const url = `${/ready on (http:\/\/[^ ]+)/.exec(ready)![1]}/bench/graphql`;
    await autocannon(url, 3); // warm-up
    const during = autocannon(url, DURATION);
    const reloadMs: number[] = [];
    for (let reload = 0; reload < RELOADS; reload++) {
      const served = nextLine(child, /"msg":"reload: new generation serving"|"msg":"reload failed/);
      child.kill('SIGHUP');
      const line = JSON.parse(await served) as { durationMs?: number; msg: string };
      if (!line.durationMs) throw new Error(line.msg);
      reloadMs.push(line.durationMs);
    }
    const withReloads = await during;
    const without = await autocannon(url, DURATION);
    const row = (name: string, result: ProcessLoadResult) =>
      `| ${name} | ${result.total} | ${result.failures} | ${result.p50} | ${result.p99} | ${result.max} |`;
    process.stdout.write(
      [
        `Hot reload under load: ${QUERY}, ${CONNECTIONS} connections, ${DURATION}s per run, node ${process.version}`,
        '',
        '| run | requests | failed | p50 ms | p99 ms | max ms |',
        '|---|---|---|---|---|---|',
        row(`${RELOADS} reloads (SIGHUP)`, withReloads),
        row('no reload', without),
        '',
        `reload time (build of the next generation, ms): ${reloadMs.join(', ')}`,
        `load average at the end: ${loadavg()
          .map((value) => value.toFixed(2))
          .join(' ')}`,
        '',
      ].join('\n'),
    );
    if (withReloads.failures > 0) process.exitCode = 1;
  } finally {
    child.kill('SIGTERM');
    await new Promise((done) => child.once('exit', done));
    await catalog.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
