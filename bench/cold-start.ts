/**
 * `npm run bench:cold-start`: the demo (3 sources, 3 BFFs, `loom serve --demo`)
 * from process spawn to the first 200 on /readyz, run the ways Loom can start,
 * interleaved in rounds so each comparison comes from neighbours in time (this
 * 2-core machine drifts). Prints the median of RUNS (default 5) per mode and
 * writes bench/out/cold-start.json.
 *
 * Modes: tsx (LOOM_RUN_TS=1: sources compiled by tsx), compiled (dist/, no
 * schema cache), compiled + cold cache (an empty cache folder: generated and
 * written), compiled + warm cache (read back). Needs `npm run build` first.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, startProcess, stopProcess, waitForUrl } from './lib/processes';
import { cpuSeconds } from './lib/measure';

const ROOT = resolve(__dirname, '..');
const OUT = resolve(__dirname, 'out');
const RUNS = Math.max(1, Number(process.env.RUNS ?? 5));
/** As `npm start` runs it. */
const NODE_FLAGS = ['--max-semi-space-size=32'];

interface Mode {
  id: string;
  label: string;
  env: (cacheDir: string) => Record<string, string>;
  /** Runs before each start (the cold-cache mode empties its folder). */
  prepare?: (cacheDir: string) => void;
}

const MODES: Mode[] = [
  { id: 'tsx', label: 'tsx (TypeScript sources)', env: () => ({ LOOM_RUN_TS: '1', LOOM_SCHEMA_CACHE: 'off' }) },
  { id: 'compiled', label: 'compiled (dist/), no schema cache', env: () => ({ LOOM_SCHEMA_CACHE: 'off' }) },
  {
    id: 'compiled-cold-cache',
    label: 'compiled, empty schema cache (fills it)',
    env: (cacheDir) => ({ LOOM_SCHEMA_CACHE: cacheDir }),
    prepare: (cacheDir) => rmSync(cacheDir, { recursive: true, force: true }),
  },
  {
    id: 'compiled-warm-cache',
    label: 'compiled, warm schema cache',
    env: (cacheDir) => ({ LOOM_SCHEMA_CACHE: cacheDir }),
  },
];

/** Wall time to the first 200 on /readyz, and the CPU the process had used by then (less swayed by a busy machine). */
async function startOnce(
  mode: Mode,
  cacheDir: string,
  demoPorts: Record<string, string>,
): Promise<{ readyMs: number; cpuMs: number }> {
  mode.prepare?.(cacheDir);
  const port = await freePort();
  const loom = startProcess(
    `cold-start-${mode.id}`,
    process.execPath,
    [...NODE_FLAGS, 'bin/loom.js', 'serve', '--demo', '--port', String(port)],
    { cwd: ROOT, env: { NODE_ENV: 'production', LOOM_LOG_LEVEL: 'warn', ...demoPorts, ...mode.env(cacheDir) } },
    OUT,
  );
  try {
    const readyMs = await waitForUrl(`http://127.0.0.1:${port}/readyz`, loom);
    return { readyMs, cpuMs: cpuSeconds(loom.pid) * 1000 };
  } finally {
    await stopProcess(loom);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('run `npm run build` first');
  mkdirSync(OUT, { recursive: true });
  const cacheDir = join(mkdtempSync(join(tmpdir(), 'loom-cold-start-')), 'cache');
  // Fixed demo ports: a source's endpoint is part of its cache key, and --demo otherwise picks new ports each start.
  const demoPorts = {
    LOOM_DEMO_CATALOG_PORT: String(await freePort()),
    LOOM_DEMO_ORDERS_PORT: String(await freePort()),
    LOOM_DEMO_BILLING_PORT: String(await freePort()),
  };
  const samples = new Map<string, number[]>(MODES.map((mode) => [mode.id, []]));
  const cpuSamples = new Map<string, number[]>(MODES.map((mode) => [mode.id, []]));
  // One untimed start per mode first: tsx's own transform cache and the OS file cache get warm.
  for (const mode of MODES) await startOnce(mode, cacheDir, demoPorts);
  for (let round = 1; round <= RUNS; round++) {
    for (const mode of MODES) {
      const { readyMs, cpuMs } = await startOnce(mode, cacheDir, demoPorts);
      samples.get(mode.id)!.push(readyMs);
      cpuSamples.get(mode.id)!.push(cpuMs);
      console.log(`round ${round} ${mode.id}: ${Math.round(readyMs)} ms, ${Math.round(cpuMs)} ms CPU`);
    }
  }
  rmSync(cacheDir, { recursive: true, force: true });
  const results = MODES.map((mode) => ({
    id: mode.id,
    label: mode.label,
    medianMs: Math.round(median(samples.get(mode.id)!)),
    samplesMs: samples.get(mode.id)!.map(Math.round),
    medianCpuMs: Math.round(median(cpuSamples.get(mode.id)!)),
  }));
  writeFileSync(
    join(OUT, 'cold-start.json'),
    JSON.stringify({ date: new Date().toISOString(), node: process.version, runs: RUNS, results }, null, 2),
  );
  console.log(
    `\n| start | median to /readyz (${RUNS} runs) | CPU used by then (median) | runs (ms) |\n|---|---|---|---|`,
  );
  for (const result of results)
    console.log(
      `| ${result.label} | ${result.medianMs} ms | ${result.medianCpuMs} ms | ${result.samplesMs.join(', ')} |`,
    );
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exitCode = 1;
});
