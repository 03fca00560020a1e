/**
 * `npm run bench:cold-start`: the demo (3 sources, 3 BFFs, `loom serve --demo`)
 * from process spawn to the first 200 on /readyz, run the ways Loom can start,
 * interleaved in rounds so each comparison comes from neighbours in time (this
 * 2-core machine drifts). Prints the median of RUNS (default 5) per mode, with
 * the CPU used and the RSS at ready, and writes bench/out/cold-start.json.
 * `runColdStart()` does the same for another script (bench/run.ts).
 *
 * Modes: tsx (LOOM_RUN_TS=1: sources compiled by tsx), compiled with no cache
 * at all (a first start after install: no code cache, no compiled TypeScript,
 * no schema cache), compiled (dist/, warm code cache, no schema cache),
 * compiled + cold schema cache (an empty folder: generated and written),
 * compiled + warm schema cache (read back). The code cache and the TypeScript
 * cache live in the bench's own temporary folder, warmed by the untimed first
 * start. Needs `npm run build` first.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, startProcess, stopProcess, waitForUrl } from './lib/processes';
import { cpuSeconds, rssMb } from './lib/measure';

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

const NO_CACHES = { LOOM_SCHEMA_CACHE: 'off', LOOM_COMPILE_CACHE: 'off', LOOM_TS_CACHE: 'off' };

const MODES: Mode[] = [
  { id: 'tsx', label: 'tsx (TypeScript sources)', env: () => ({ LOOM_RUN_TS: '1', LOOM_SCHEMA_CACHE: 'off' }) },
  { id: 'compiled-no-caches', label: 'compiled (dist/), no caches at all', env: () => NO_CACHES },
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

interface Sample {
  readyMs: number;
  cpuMs: number;
  rssMb: number;
}

/** Wall time to the first 200 on /readyz, the CPU the process had used by then (less swayed by a busy machine), its RSS. */
async function startOnce(
  mode: Mode,
  cacheDir: string,
  codeCaches: Record<string, string>,
  demoPorts: Record<string, string>,
): Promise<Sample> {
  mode.prepare?.(cacheDir);
  const port = await freePort();
  const loom = startProcess(
    `cold-start-${mode.id}`,
    process.execPath,
    [...NODE_FLAGS, 'bin/loom.js', 'serve', '--demo', '--port', String(port)],
    {
      cwd: ROOT,
      env: { NODE_ENV: 'production', LOOM_LOG_LEVEL: 'warn', ...codeCaches, ...demoPorts, ...mode.env(cacheDir) },
    },
    OUT,
  );
  try {
    const readyMs = await waitForUrl(`http://127.0.0.1:${port}/readyz`, loom);
    return { readyMs, cpuMs: cpuSeconds(loom.pid) * 1000, rssMb: rssMb(loom.pid) };
  } finally {
    await stopProcess(loom);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export interface ColdStartResult {
  id: string;
  label: string;
  medianMs: number;
  samplesMs: number[];
  medianCpuMs: number;
  /** RSS at ready (MB), median. */
  medianRssMb: number;
}

export interface ColdStartReport {
  date: string;
  node: string;
  runs: number;
  results: ColdStartResult[];
}

/** Every mode, RUNS rounds; writes bench/out/cold-start.json and returns the same report. */
export async function runColdStart(runs = RUNS, log: (line: string) => void = console.log): Promise<ColdStartReport> {
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('run `npm run build` first');
  mkdirSync(OUT, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), 'loom-cold-start-'));
  const cacheDir = join(scratch, 'cache');
  const codeCaches = { LOOM_COMPILE_CACHE: join(scratch, 'code'), LOOM_TS_CACHE: join(scratch, 'ts') };
  // Fixed demo ports: a source's endpoint is part of its cache key, and --demo otherwise picks new ports each start.
  const demoPorts = {
    LOOM_DEMO_CATALOG_PORT: String(await freePort()),
    LOOM_DEMO_ORDERS_PORT: String(await freePort()),
    LOOM_DEMO_BILLING_PORT: String(await freePort()),
    LOOM_DEMO_ISSUER_PORT: String(await freePort()),
  };
  const samples = new Map<string, Sample[]>(MODES.map((mode) => [mode.id, []]));
  try {
    // One untimed start per mode first: the code and TypeScript caches, tsx's own and the OS file cache get warm.
    for (const mode of MODES) await startOnce(mode, cacheDir, codeCaches, demoPorts);
    for (let round = 1; round <= runs; round++) {
      for (const mode of MODES) {
        const sample = await startOnce(mode, cacheDir, codeCaches, demoPorts);
        samples.get(mode.id)!.push(sample);
        log(
          `round ${round} ${mode.id}: ${Math.round(sample.readyMs)} ms, ${Math.round(sample.cpuMs)} ms CPU, ${Math.round(sample.rssMb)} MB`,
        );
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const results = MODES.map((mode): ColdStartResult => {
    const of = samples.get(mode.id)!;
    return {
      id: mode.id,
      label: mode.label,
      medianMs: Math.round(median(of.map((sample) => sample.readyMs))),
      samplesMs: of.map((sample) => Math.round(sample.readyMs)),
      medianCpuMs: Math.round(median(of.map((sample) => sample.cpuMs))),
      medianRssMb: Math.round(median(of.map((sample) => sample.rssMb))),
    };
  });
  const report: ColdStartReport = { date: new Date().toISOString(), node: process.version, runs, results };
  writeFileSync(join(OUT, 'cold-start.json'), JSON.stringify(report, null, 2));
  return report;
}

async function main(): Promise<void> {
  const { runs, results } = await runColdStart();
  console.log(
    `\n| start | median to /readyz (${runs} runs) | CPU used by then (median) | RSS at ready | runs (ms) |\n|---|---|---|---|---|`,
  );
  for (const result of results)
    console.log(
      `| ${result.label} | ${result.medianMs} ms | ${result.medianCpuMs} ms | ${result.medianRssMb} MB | ${result.samplesMs.join(', ')} |`,
    );
}

// Run as a script (`node bin/run-ts.js bench/cold-start.ts`), not when imported.
if (resolve(process.argv[1] ?? '') === __filename)
  main().catch((error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
  });
