/**
 * `npm run bench`: Loom and Hive Gateway (+ GraphQL Mesh) on the same backend,
 * same machine, same run. Starts the peer-bench backend, Hive Gateway (one
 * process and `--fork 2`), Loom in front of the same spec (one process and
 * `--workers 2`), and Loom's demo (REST + gRPC + SOAP; with `npm start`'s
 * flags and with Node's defaults); runs each scenario with autocannon, ROUNDS
 * times; then the cold-start, hot-reload and WebSocket benchmarks through
 * their own CLIs; writes bench/RESULTS.md and bench/out/results.json.
 * 127.0.0.1 only; every process is stopped by PID at the end.
 *
 * Scenarios run in the order of the comparisons the report makes (Hive then
 * Loom, direct REST then the cache hit), so each ratio comes from neighbours
 * in time: this 2-core machine drifts over a run.
 *
 * Env: DURATION (s, default 8), WARMUP (s, default 2), CONNECTIONS (default 50),
 *      WARMUP_LATER (s, rounds 2 and later, default 1), SERIAL (default 200; round 1 only), SCENARIOS (comma-separated ids), SKIP_PEER=1,
 *      ROUNDS (default 1: each scenario's median-RPS round is reported),
 *      EXTRAS (default cold-start,reload,websocket; empty: none), COLD_START_RUNS (default 5),
 *      RELOAD_DURATION (s per run, default 10), RELOADS (default 10), WS_SUBSCRIPTIONS (default 1000),
 *      SKIP_BUILD=1 (do not run `npm run build` when dist/ is missing or older than src/),
 *      SMOKE=1 (a quick check of the harness: 1 s windows, fewer samples; not figures to keep).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort, startProcess, stopAll, stopProcess, waitForUrl, type BenchProcess } from './lib/processes';
import { load, machine, probe, serialLatency, treeCpuSeconds, treeRssMb } from './lib/measure';
import { renderResults, type BenchMeta, type ScenarioResult } from './lib/report';
import { ownedSections } from './lib/results-sections';
import { sendUntil } from './lib/hostile';
import { benchScenarios, RUN_ORDER, type Scenario } from './lib/scenarios';
import { parseReload, parseWebsocket, readColdStart, runBenchScript } from './lib/extras';

const ROOT = resolve(__dirname, '..');
const PEER = resolve(ROOT, '../shared/peer-bench');
const OUT = resolve(__dirname, 'out');
const SMOKE = process.env.SMOKE === '1';
const setting = (name: string, normal: number, smoke: number) => Number(process.env[name] ?? (SMOKE ? smoke : normal));
const DURATION = setting('DURATION', 8, 1);
const WARMUP = setting('WARMUP', 2, 0.5);
/** Warm-up in rounds 2 and later: the servers are warm by then; it only settles the switch from the previous scenario. */
const WARMUP_LATER = setting('WARMUP_LATER', 1, 0.5);
const CONNECTIONS = setting('CONNECTIONS', 50, 50);
const SERIAL = setting('SERIAL', 200, 20);
const ROUNDS = Math.max(1, setting('ROUNDS', 1, 1));
const COLD_START_RUNS = setting('COLD_START_RUNS', 5, 1);
const RELOAD_DURATION = setting('RELOAD_DURATION', 10, 3);
const RELOADS = setting('RELOADS', 10, 3);
const WS_SUBSCRIPTIONS = setting('WS_SUBSCRIPTIONS', 1000, 100);
const WS_EVENTS = setting('WS_EVENTS', 20, 3);
const EXTRAS = (process.env.EXTRAS ?? 'cold-start,reload,websocket').split(',').filter(Boolean);
const ENV = { NODE_ENV: 'production', LOOM_LOG_LEVEL: 'warn' };
/** Loom runs as `npm start` runs it: with a larger young generation (fewer scavenges per request; see README). */
const LOOM_NODE_FLAGS = ['--max-semi-space-size=32'];

function ensurePeerInstalled(): void {
  if (existsSync(resolve(PEER, 'node_modules/.bin/hive-gateway'))) return;
  console.log('installing ../shared/peer-bench (npm ci, once)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: PEER, stdio: 'inherit' });
}

/** `loom` runs dist/ when it is up to date (bin/compiled-build.js): build it, so every Loom here runs compiled. */
function ensureBuilt(): void {
  if (process.env.SKIP_BUILD === '1') return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS helper of bin/loom.js
  const { chooseBuild } = require('../bin/compiled-build.js') as { chooseBuild: () => string };
  if (chooseBuild() === 'compiled') return;
  console.log('npm run build (dist/ missing or older than src/)');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
}

async function backendStats(url: string): Promise<number> {
  return ((await (await fetch(`${url}/__stats`)).json()) as { calls: number }).calls;
}

/** Upstream calls Loom made, summed over sources, from its own /metrics. */
async function loomUpstreamCalls(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n'))
    if (line.startsWith('loom_upstream_requests_total')) total += Number(line.split(' ').pop());
  return total;
}

/** Waits until the upstream call count stops moving (a loaded gateway drains its queue after the load stops). */
async function quiesce(scenario: Scenario): Promise<void> {
  let last = await scenario.countCalls();
  for (let stable = 0, round = 0; stable < 2 && round < 75; round++) {
    await new Promise((done) => setTimeout(done, 200));
    const now = await scenario.countCalls();
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
}

/** Each scenario once, in the given order: calls per request, unloaded latency (round 1), then the load window. */
async function runScenarios(
  scenarios: Scenario[],
  processes: Record<string, BenchProcess>,
  round: number,
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    if (scenario.firstRoundOnly && round > 1) continue;
    process.stdout.write(`- ${scenario.label}: `);
    try {
      await quiesce(scenario);
      await scenario.resetCalls();
      const before = await scenario.countCalls();
      await probe(scenario.request);
      const callsPerRequest = (await scenario.countCalls()) - before;
      const serial = round === 1 ? await serialLatency(scenario.request, SERIAL) : undefined;
      const warmup = round === 1 ? WARMUP : WARMUP_LATER;
      if (warmup > 0) await load(scenario.request, CONNECTIONS, warmup);
      const pid = processes[scenario.server].pid;
      const cpuBefore = treeCpuSeconds(pid);
      const callsBefore = await scenario.countCalls();
      let loadDone!: () => void;
      const hostile = scenario.alongside
        ? sendUntil(scenario.alongside, new Promise<void>((done) => (loadDone = done)))
        : undefined;
      const result = await load(scenario.request, CONNECTIONS, DURATION);
      loadDone?.();
      const alongside = await hostile;
      await quiesce(scenario);
      const cpuMsPerRequest = ((treeCpuSeconds(pid) - cpuBefore) * 1000) / Math.max(1, result.total);
      const callsUnderLoad = ((await scenario.countCalls()) - callsBefore) / Math.max(1, result.total);
      results.push({
        ...scenario,
        ...result,
        serialP50: serial?.p50,
        serialP99: serial?.p99,
        callsPerRequest,
        callsUnderLoad,
        cpuMsPerRequest,
        rssMb: treeRssMb(pid),
        hostile: alongside,
      });
      console.log(
        `${Math.round(result.rps)} req/s, p99 ${result.p99} ms${alongside ? `; hostile document: ${alongside.count} answers, p50 ${alongside.p50.toFixed(1)} ms, max ${alongside.max.toFixed(1)} ms (${alongside.answers.join(', ')})` : ''}`,
      );
    } catch (error) {
      console.log(`FAILED: ${(error as Error).message}`);
      results.push({ ...scenario, failed: (error as Error).message });
    }
  }
  return results;
}

/** The run with the median RPS (the lower middle one for an even count); a failed run counts as 0. */
function medianByRps(runs: ScenarioResult[]): ScenarioResult {
  const sorted = [...runs].sort((a, b) => (a.rps ?? 0) - (b.rps ?? 0));
  const first = runs[0];
  return {
    ...sorted[Math.floor((sorted.length - 1) / 2)],
    serialP50: first.serialP50,
    serialP99: first.serialP99,
    rounds: runs.length,
  };
}

/** Starts a Loom process (`loom serve ...`) and waits for /readyz; returns its URL. */
async function startLoom(
  processes: Record<string, BenchProcess>,
  key: string,
  nodeFlags: string[],
  args: string[],
  env: Record<string, string> = {},
): Promise<{ url: string; readyMs: number }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  processes[key] = startProcess(
    key,
    process.execPath,
    [...nodeFlags, 'bin/loom.js', 'serve', ...args, '--port', String(port)],
    { cwd: ROOT, env: { ...ENV, ...env } },
    OUT,
  );
  return { url, readyMs: await waitForUrl(`${url}/readyz`, processes[key]) };
}

/** Starts Hive Gateway on the composed supergraph (`extra`: its global flags, e.g. --fork 2). */
async function startHive(processes: Record<string, BenchProcess>, key: string, extra: string[]): Promise<string> {
  const port = await freePort();
  processes[key] = startProcess(
    key,
    resolve(PEER, 'node_modules/.bin/hive-gateway'),
    [
      ...extra,
      'supergraph',
      resolve(OUT, 'supergraph.graphql'),
      '-c',
      'gateway.config.ts',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
    ],
    { cwd: PEER, env: ENV },
    OUT,
  );
  await waitForUrl(`http://127.0.0.1:${port}/healthcheck`, processes[key]);
  return `http://127.0.0.1:${port}`;
}

/** Cold start, hot reload and WebSocket fan-out, each through its own CLI, after the load servers are stopped. */
async function runExtras(meta: BenchMeta): Promise<void> {
  if (EXTRAS.includes('cold-start')) {
    console.log(`cold start (bench/cold-start.ts, ${COLD_START_RUNS} runs per mode)`);
    try {
      await runBenchScript(ROOT, 'bench/cold-start.ts', { RUNS: String(COLD_START_RUNS) });
      meta.coldStart = readColdStart(OUT);
    } catch (error) {
      meta.coldStartFailed = (error as Error).message;
    }
  }
  if (EXTRAS.includes('reload')) {
    console.log(`hot reload under load (bench/reload-under-load.ts, ${RELOADS} reloads, ${RELOAD_DURATION} s)`);
    try {
      const stdout = await runBenchScript(ROOT, 'bench/reload-under-load.ts', {
        DURATION: String(RELOAD_DURATION),
        RELOADS: String(RELOADS),
        CONNECTIONS: String(CONNECTIONS),
      });
      meta.reload = { ...parseReload(stdout), reloads: RELOADS, seconds: RELOAD_DURATION };
    } catch (error) {
      meta.reloadFailed = (error as Error).message;
    }
  }
  if (EXTRAS.includes('websocket')) {
    console.log(`WebSocket fan-out (bench/websocket-fanout.ts, ${WS_SUBSCRIPTIONS} subscriptions)`);
    try {
      const stdout = await runBenchScript(ROOT, 'bench/websocket-fanout.ts', {
        SUBSCRIPTIONS: String(WS_SUBSCRIPTIONS),
        EVENTS: String(WS_EVENTS),
      });
      meta.websocket = { ...parseWebsocket(stdout), subscriptions: WS_SUBSCRIPTIONS };
    } catch (error) {
      meta.websocketFailed = (error as Error).message;
    }
  }
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const host = machine();
  mkdirSync(OUT, { recursive: true });
  ensureBuilt();
  const processes: Record<string, BenchProcess> = {};
  const backendPort = await freePort();
  const backendUrl = `http://127.0.0.1:${backendPort}`;
  processes.backend = startProcess(
    'peer-backend',
    process.execPath,
    ['backend/server.mjs'],
    { cwd: PEER, env: { BACKEND_PORT: String(backendPort) } },
    OUT,
  );
  await waitForUrl(`${backendUrl}/__stats`, processes.backend);

  const shop = ['--config', 'bench/loom-shop.config.ts'];
  const shopEnv = { BENCH_BACKEND_URL: backendUrl };
  const { url: loomUrl } = await startLoom(processes, 'loom', LOOM_NODE_FLAGS, shop, shopEnv);
  const { url: loomW2Url } = await startLoom(
    processes,
    'loomW2',
    LOOM_NODE_FLAGS,
    [...shop, '--workers', '2'],
    shopEnv,
  );

  let hiveUrl: string | undefined;
  let hiveFork2Url: string | undefined;
  if (!process.env.SKIP_PEER) {
    ensurePeerInstalled();
    execFileSync(resolve(PEER, 'node_modules/.bin/mesh-compose'), ['-o', resolve(OUT, 'supergraph.graphql')], {
      cwd: PEER,
      env: { ...process.env, BACKEND_URL: backendUrl },
      stdio: 'ignore',
    });
    hiveUrl = await startHive(processes, 'hive', []);
    hiveFork2Url = await startHive(processes, 'hiveFork2', ['--fork', '2']);
  }

  // Loom's demo as `npm start` runs it (three sources, three BFFs): cold start to ready and RSS, then stopped.
  const cold = await startLoom(processes, 'demoColdStart', LOOM_NODE_FLAGS, ['--demo']);
  const demoRssAtReadyMb = treeRssMb(processes.demoColdStart.pid);
  await stopProcess(processes.demoColdStart);
  delete processes.demoColdStart;

  // The same sources behind a policy-free BFF for the gRPC and SOAP scenarios (the demo BFFs rate-limit),
  // with `npm start`'s flags and with Node's defaults (RSS after the load, both ways).
  const demoArgs = ['--demo', '--config', 'bench/loom-demo.config.ts'];
  const { url: demoUrl } = await startLoom(processes, 'demo', LOOM_NODE_FLAGS, demoArgs);
  const { url: demoDefaultUrl } = await startLoom(processes, 'demoDefault', [], demoArgs);

  const scenarios = benchScenarios({
    backendUrl,
    loomUrl,
    loomW2Url,
    hiveUrl,
    hiveFork2Url,
    demoUrl,
    demoDefaultUrl,
    countBackendCalls: () => backendStats(backendUrl),
    resetBackendCalls: async () => void (await fetch(`${backendUrl}/__stats/reset`, { method: 'POST' })),
    countLoomCalls: loomUpstreamCalls,
  });
  const wanted = process.env.SCENARIOS?.split(',');
  const selected = scenarios
    .filter((candidate) => !wanted || wanted.includes(candidate.id))
    .sort((a, b) => RUN_ORDER.indexOf(a.id) - RUN_ORDER.indexOf(b.id));
  const rounds: ScenarioResult[][] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    if (ROUNDS > 1) console.log(`round ${round} of ${ROUNDS}`);
    rounds.push(await runScenarios(selected, processes, round));
  }
  const results = scenarios.flatMap((scenario) => {
    const runs = rounds.flatMap((round) => round.filter((result) => result.id === scenario.id));
    return runs.length ? [medianByRps(runs)] : [];
  });
  const rssAfterRound1 = (id: string) => rounds[0]?.find((result) => result.id === id)?.rssMb;
  const meta: BenchMeta = {
    date: new Date().toISOString(),
    machine: host,
    connections: CONNECTIONS,
    durationSeconds: DURATION,
    warmupSeconds: WARMUP,
    warmupLaterSeconds: WARMUP_LATER,
    rounds: ROUNDS,
    smoke: SMOKE,
    demoColdStartMs: Math.round(cold.readyMs),
    demoRssAtReadyMb: Math.round(demoRssAtReadyMb),
    demoRssAfterLoadMb: Math.round(treeRssMb(processes.demo.pid)),
    demoRssAfterRound1Mb: rssAfterRound1('demo-soap'),
    demoDefaultRssAfterRound1Mb: rssAfterRound1('demo-default-soap'),
  };
  await stopAll();
  await runExtras(meta);
  meta.totalSeconds = Math.round((Date.now() - startedAt) / 1000);
  writeFileSync(resolve(OUT, 'results.json'), JSON.stringify({ meta, results, rounds }, null, 2));
  const markdown = renderResults(meta, results, rounds);
  // Sections other benchmarks own (bench/websocket-fanout.ts) stay.
  const owned = ownedSections(resolve(__dirname, 'RESULTS.md'));
  writeFileSync(resolve(__dirname, 'RESULTS.md'), owned ? `${markdown.trimEnd()}\n\n${owned}` : markdown);
  console.log(`\n${markdown}`);
}

main()
  .catch((error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
