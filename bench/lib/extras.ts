import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The benchmarks `npm run bench` folds into its run, each through its own
 * CLI (`node bin/run-ts.js bench/<name>.ts`) in a child process, its stdout
 * kept and the figures the targets need read back from it.
 */

/**
 * Runs a bench script to completion; resolves with its stdout. A script that
 * printed its table and then exited non-zero (reload-under-load.ts does when
 * requests failed) still resolves: the report shows what failed.
 */
export function runBenchScript(root: string, script: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['bin/run-ts.js', script],
      { cwd: root, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && !stdout.includes('|'))
          reject(new Error(`${script}: ${(stderr || error.message).trim().split('\n').slice(-3).join(' / ')}`));
        else resolve(stdout);
      },
    );
  });
}

export interface ColdStartMode {
  id: string;
  label: string;
  medianMs: number;
  samplesMs: number[];
  medianCpuMs?: number;
}

/** bench/cold-start.ts's results (bench/out/cold-start.json), after a run of it. */
export function readColdStart(outDir: string): { runs: number; results: ColdStartMode[] } | undefined {
  const file = join(outDir, 'cold-start.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as { runs: number; results: ColdStartMode[] };
}

export interface ReloadRow {
  requests: number;
  failed: number;
  p50: number;
  p99: number;
  max: number;
}

/** The two rows of bench/reload-under-load.ts's table: during the reloads, and without. */
export function parseReload(stdout: string): { withReloads?: ReloadRow; without?: ReloadRow; reloadMs?: string } {
  const row = (name: RegExp): ReloadRow | undefined => {
    const line = stdout.split('\n').find((candidate) => name.test(candidate));
    const cells = line
      ?.split('|')
      .slice(2, -1)
      .map((cell) => Number(cell.trim()));
    return cells && cells.length >= 5 && cells.every((cell) => !Number.isNaN(cell))
      ? { requests: cells[0], failed: cells[1], p50: cells[2], p99: cells[3], max: cells[4] }
      : undefined;
  };
  return {
    withReloads: row(/^\| \d+ reloads/),
    without: row(/^\| no reload/),
    reloadMs: /reload time[^:]*: (.*)/.exec(stdout)?.[1]?.trim(),
  };
}

/** Memory per subscription and fan-out latency from bench/websocket-fanout.ts's table. */
export function parseWebsocket(stdout: string): { perSubscription?: string; fanOut?: string; last?: string } {
  const cell = (label: RegExp) =>
    stdout
      .split('\n')
      .find((line) => label.test(line))
      ?.split('|')
      .at(-2)
      ?.trim();
  return {
    perSubscription: cell(/memory per subscription/),
    fanOut: cell(/fan-out latency/),
    last: cell(/publish to the last/),
  };
}
