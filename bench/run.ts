/**
 * `npm run bench`: Loom and Hive Gateway (+ GraphQL Mesh) on the same backend,
 * same machine, same run. Starts the peer-bench backend, Hive Gateway, Loom in
 * front of the same spec, and Loom's demo (REST + gRPC + SOAP); runs each
 * scenario with autocannon; writes bench/RESULTS.md and bench/out/results.json.
 * 127.0.0.1 only; every process is stopped by PID at the end.
 *
 * Scenarios run in the order of the comparisons the report makes (Hive then
 * Loom, direct REST then the cache hit), so each ratio comes from neighbours
 * in time: this 2-core machine drifts over a run.
 *
 * Env: DURATION (s, default 8), WARMUP (s, default 2), CONNECTIONS (default 50),
 *      SERIAL (default 200), SCENARIOS (comma-separated ids), SKIP_PEER=1,
 *      ROUNDS (default 1: each scenario's median-RPS round is reported).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort, startProcess, stopAll, stopProcess, waitForUrl, type BenchProcess } from './lib/processes';
import { cpuSeconds, graphqlRequest, load, probe, rssMb, serialLatency, type BenchRequest } from './lib/measure';
import { renderResults, type ScenarioResult } from './lib/report';
import { ownedSections } from './lib/results-sections';

const ROOT = resolve(__dirname, '..');
const PEER = resolve(ROOT, '../shared/peer-bench');
const OUT = resolve(__dirname, 'out');
const DURATION = Number(process.env.DURATION ?? 8);
const WARMUP = Number(process.env.WARMUP ?? 2);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const SERIAL = Number(process.env.SERIAL ?? 200);
const ROUNDS = Math.max(1, Number(process.env.ROUNDS ?? 1));
/** The order scenarios run in: each compared pair side by side. */
const RUN_ORDER = [
  'hive-1call',
  'loom-1call',
  'hive-nplus1',
  'loom-orders-user',
  'hive-batched',
  'rest-user',
  'loom-cache-hit',
  'rest-orders',
  'demo-grpc',
  'demo-soap',
];
const ENV = { NODE_ENV: 'production', LOOM_LOG_LEVEL: 'warn' };
/** Loom runs as `npm start` runs it: with a larger young generation (fewer scavenges per request; see README). */
const LOOM_NODE_FLAGS = ['--max-semi-space-size=32'];

interface Scenario {
  id: string;
  label: string;
  server: 'backend' | 'hive' | 'loom' | 'demo';
  baseline?: string;
  request: BenchRequest;
  /** Upstream calls caused by one request, counted by whoever can see them. */
  countCalls: () => Promise<number>;
  resetCalls: () => Promise<void>;
}

function ensurePeerInstalled(): void {
  if (existsSync(resolve(PEER, 'node_modules/.bin/hive-gateway'))) return;
  console.log('installing ../shared/peer-bench (npm ci, once)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: PEER, stdio: 'inherit' });
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

/** Each scenario once, in the given order: calls per request, unloaded latency, then the load window. */
async function runScenarios(scenarios: Scenario[], processes: Record<string, BenchProcess>): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    process.stdout.write(`- ${scenario.label}: `);
    try {
      await quiesce(scenario);
      await scenario.resetCalls();
      const before = await scenario.countCalls();
      await probe(scenario.request);
      const callsPerRequest = (await scenario.countCalls()) - before;
      const serial = await serialLatency(scenario.request, SERIAL);
      if (WARMUP > 0) await load(scenario.request, CONNECTIONS, WARMUP);
      const pid = processes[scenario.server === 'backend' ? 'backend' : scenario.server].pid;
      const cpuBefore = cpuSeconds(pid);
      const callsBefore = await scenario.countCalls();
      const result = await load(scenario.request, CONNECTIONS, DURATION);
      await quiesce(scenario);
      const cpuMsPerRequest = ((cpuSeconds(pid) - cpuBefore) * 1000) / Math.max(1, result.total);
      const callsUnderLoad = ((await scenario.countCalls()) - callsBefore) / Math.max(1, result.total);
      results.push({
        ...scenario,
        ...result,
        serialP50: serial.p50,
        serialP99: serial.p99,
        callsPerRequest,
        callsUnderLoad,
        cpuMsPerRequest,
        rssMb: rssMb(pid),
      });
      console.log(`${Math.round(result.rps)} req/s`);
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
  return { ...sorted[Math.floor((sorted.length - 1) / 2)], rounds: runs.length };
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
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

  const loomPort = await freePort();
  const loomUrl = `http://127.0.0.1:${loomPort}`;
  processes.loom = startProcess(
    'loom-shop',
    process.execPath,
    [...LOOM_NODE_FLAGS, 'bin/loom.js', 'serve', '--config', 'bench/loom-shop.config.ts', '--port', String(loomPort)],
    { cwd: ROOT, env: { ...ENV, BENCH_BACKEND_URL: backendUrl } },
    OUT,
  );
  await waitForUrl(`${loomUrl}/readyz`, processes.loom);

  let hiveUrl: string | undefined;
  if (!process.env.SKIP_PEER) {
    ensurePeerInstalled();
    execFileSync(resolve(PEER, 'node_modules/.bin/mesh-compose'), ['-o', resolve(OUT, 'supergraph.graphql')], {
      cwd: PEER,
      env: { ...process.env, BACKEND_URL: backendUrl },
      stdio: 'ignore',
    });
    const hivePort = await freePort();
    hiveUrl = `http://127.0.0.1:${hivePort}`;
    processes.hive = startProcess(
      'hive-gateway',
      resolve(PEER, 'node_modules/.bin/hive-gateway'),
      [
        'supergraph',
        resolve(OUT, 'supergraph.graphql'),
        '-c',
        'gateway.config.ts',
        '--host',
        '127.0.0.1',
        '--port',
        String(hivePort),
      ],
      { cwd: PEER, env: ENV },
      OUT,
    );
    await waitForUrl(`${hiveUrl}/healthcheck`, processes.hive);
  }

  // Loom's demo as `npm start` runs it (three sources, three BFFs): cold start to ready and RSS, then stopped.
  const coldPort = await freePort();
  const cold = startProcess(
    'loom-demo-cold-start',
    process.execPath,
    [...LOOM_NODE_FLAGS, 'bin/loom.js', 'serve', '--demo', '--port', String(coldPort)],
    { cwd: ROOT, env: ENV },
    OUT,
  );
  const demoReadyMs = await waitForUrl(`http://127.0.0.1:${coldPort}/readyz`, cold);
  const demoRssAtReadyMb = rssMb(cold.pid);
  await stopProcess(cold);

  // The same sources behind a policy-free BFF for the gRPC and SOAP scenarios (the demo BFFs rate-limit).
  const demoPort = await freePort();
  const demoUrl = `http://127.0.0.1:${demoPort}`;
  processes.demo = startProcess(
    'loom-demo',
    process.execPath,
    [
      ...LOOM_NODE_FLAGS,
      'bin/loom.js',
      'serve',
      '--demo',
      '--config',
      'bench/loom-demo.config.ts',
      '--port',
      String(demoPort),
    ],
    { cwd: ROOT, env: ENV },
    OUT,
  );
  await waitForUrl(`${demoUrl}/readyz`, processes.demo);

  const peerCalls = {
    countCalls: () => backendStats(backendUrl),
    resetCalls: async () => void (await fetch(`${backendUrl}/__stats/reset`, { method: 'POST' })),
  };
  const demoCalls = { countCalls: () => loomUpstreamCalls(demoUrl), resetCalls: async () => undefined };
  const ordersWithUser = '{ listOrders(limit: 20) { id total status user { id name email } } }';
  const scenarios: Scenario[] = [
    {
      id: 'rest-user',
      label: 'REST direct  GET /users/1',
      server: 'backend',
      request: { url: `${backendUrl}/users/1` },
      ...peerCalls,
    },
    {
      id: 'rest-orders',
      label: 'REST direct  GET /orders?limit=20',
      server: 'backend',
      request: { url: `${backendUrl}/orders?limit=20` },
      ...peerCalls,
    },
    ...(hiveUrl
      ? ([
          {
            id: 'hive-1call',
            label: 'Hive  getUser (1 call)',
            server: 'hive',
            baseline: 'rest-user',
            request: graphqlRequest(`${hiveUrl}/graphql`, '{ getUser(id: 1) { id name email } }'),
            ...peerCalls,
          },
          {
            id: 'hive-nplus1',
            label: 'Hive  20 orders + user (N+1)',
            server: 'hive',
            baseline: 'rest-orders',
            request: graphqlRequest(`${hiveUrl}/graphql`, ordersWithUser),
            ...peerCalls,
          },
          {
            id: 'hive-batched',
            label: 'Hive  20 orders + userBatched (hand-batched)',
            server: 'hive',
            baseline: 'rest-orders',
            request: graphqlRequest(
              `${hiveUrl}/graphql`,
              '{ listOrders(limit: 20) { id total status userBatched { id name email } } }',
            ),
            ...peerCalls,
          },
        ] satisfies Scenario[])
      : []),
    {
      id: 'loom-1call',
      label: 'Loom  getUser (1 call)',
      server: 'loom',
      baseline: 'rest-user',
      request: graphqlRequest(`${loomUrl}/bench/graphql`, '{ getUser(id: 1) { id name email } }'),
      ...peerCalls,
    },
    {
      id: 'loom-orders-user',
      label: 'Loom  20 orders + user (auto-batched)',
      server: 'loom',
      baseline: 'rest-orders',
      request: graphqlRequest(`${loomUrl}/bench/graphql`, ordersWithUser),
      ...peerCalls,
    },
    {
      id: 'loom-cache-hit',
      label: 'Loom  getUser, response cache hit',
      server: 'loom',
      baseline: 'rest-user',
      request: graphqlRequest(`${loomUrl}/cached/graphql`, '{ getUser(id: 1) { id name email } }'),
      ...peerCalls,
    },
    {
      id: 'demo-grpc',
      label: 'Loom demo  gRPC listOrders (20)',
      server: 'demo',
      request: graphqlRequest(
        `${demoUrl}/bench/graphql`,
        process.env.BENCH_GRPC_QUERY ?? '{ listOrders(limit: 20) { id customerId status totalCents } }',
      ),
      ...demoCalls,
    },
    {
      id: 'demo-soap',
      label: 'Loom demo  SOAP getInvoice',
      server: 'demo',
      request: graphqlRequest(
        `${demoUrl}/bench/graphql`,
        process.env.BENCH_SOAP_QUERY ?? '{ getInvoice(orderId: "o1") { invoiceId amount status dueAt } }',
      ),
      ...demoCalls,
    },
  ];
  const wanted = process.env.SCENARIOS?.split(',');
  const selected = scenarios
    .filter((candidate) => !wanted || wanted.includes(candidate.id))
    .sort((a, b) => RUN_ORDER.indexOf(a.id) - RUN_ORDER.indexOf(b.id));
  const rounds: ScenarioResult[][] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    if (ROUNDS > 1) console.log(`round ${round} of ${ROUNDS}`);
    rounds.push(await runScenarios(selected, processes));
  }
  const results = scenarios.flatMap((scenario) => {
    const runs = rounds.flatMap((round) => round.filter((result) => result.id === scenario.id));
    return runs.length ? [medianByRps(runs)] : [];
  });
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    connections: CONNECTIONS,
    durationSeconds: DURATION,
    warmupSeconds: WARMUP,
    rounds: ROUNDS,
    demoColdStartMs: Math.round(demoReadyMs),
    demoRssAtReadyMb: Math.round(demoRssAtReadyMb),
    demoRssAfterLoadMb: Math.round(rssMb(processes.demo.pid)),
  };
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
