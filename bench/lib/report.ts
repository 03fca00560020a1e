import type { ColdStartMode, ReloadRow } from './extras';
import type { HostileResult } from './hostile';
import type { LoadResult, Machine } from './measure';

export interface ScenarioResult extends Partial<LoadResult> {
  id: string;
  label: string;
  baseline?: string;
  serialP50?: number;
  serialP99?: number;
  callsPerRequest?: number;
  callsUnderLoad?: number;
  cpuMsPerRequest?: number;
  rssMb?: number;
  failed?: string;
  /** Rounds run; the reported one is the median by RPS. */
  rounds?: number;
  /** The hostile document sent alongside the load (the loom-hostile row). */
  hostile?: HostileResult;
}

export interface BenchMeta {
  date: string;
  machine: Machine;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  warmupLaterSeconds: number;
  rounds: number;
  smoke: boolean;
  demoColdStartMs: number;
  demoRssAtReadyMb: number;
  demoRssAfterLoadMb: number;
  demoRssAfterRound1Mb?: number;
  demoDefaultRssAfterRound1Mb?: number;
  coldStart?: { runs: number; results: ColdStartMode[] };
  coldStartFailed?: string;
  reload?: { withReloads?: ReloadRow; without?: ReloadRow; reloadMs?: string; reloads: number; seconds: number };
  reloadFailed?: string;
  websocket?: { perSubscription?: string; fanOut?: string; last?: string; subscriptions: number };
  websocketFailed?: string;
  totalSeconds?: number;
}

const fixed = (value: number | undefined, digits = 0) =>
  value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);
const verdict = (met: boolean, missed = 'missed') => (met ? 'met' : `**${missed}**`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

/** Which row each Loom row is compared with in the table's last column. */
const PEER_OF: Record<string, string> = {
  'loom-1call': 'hive-1call',
  'loom-1call-w2': 'hive-1call-fork2',
  'loom-orders-user': 'hive-nplus1',
};

function ratio(numerator: number | undefined, denominator: number | undefined): number | undefined {
  return numerator && denominator ? numerator / denominator : undefined;
}

const find = (round: ScenarioResult[], id: string) => round.find((result) => result.id === id && !result.failed);

/** `id`'s RPS over `base`'s within each round (rounds where either failed are left out). */
function roundRatios(rounds: ScenarioResult[][], id: string, base: string): number[] {
  return rounds.flatMap((round) => {
    const value = ratio(find(round, id)?.rps, find(round, base)?.rps);
    return value === undefined ? [] : [value];
  });
}

/**
 * One target line: the median round's ratio and the worst round's, each
 * against its target, then every round's.
 */
function ratioTarget(
  rounds: ScenarioResult[][],
  label: string,
  id: string,
  base: string,
  target: { median?: number; worst?: number; percent?: boolean },
): string | undefined {
  const values = roundRatios(rounds, id, base);
  if (!values.length) return undefined;
  const format = (value: number) => (target.percent ? `${(value * 100).toFixed(1)}%` : `${value.toFixed(2)}x`);
  const middle = median(values);
  const worst = Math.min(...values);
  const judged = (value: number, bound: number | undefined) =>
    bound === undefined ? '' : ` (target >= ${format(bound)}: ${verdict(value >= bound)})`;
  return `- ${label}: median round ${format(middle)}${judged(middle, target.median)}, worst round ${format(worst)}${judged(worst, target.worst)}; per round: ${values.map(format).join(', ')}`;
}

/** p99 under load at the run's connection count, median and worst round, and round by round. */
function p99Line(rounds: ScenarioResult[][], id: string): string {
  const values = rounds.flatMap((round) => {
    const p99 = find(round, id)?.p99;
    return p99 === undefined ? [] : [p99];
  });
  return values.length ? `${median(values)} ms (worst round ${Math.max(...values)} ms; ${values.join(', ')})` : '-';
}

function hostileLine(rounds: ScenarioResult[][]): string[] {
  const runs = rounds.flatMap((round) => {
    const result = find(round, 'loom-hostile');
    return result?.hostile ? [result.hostile] : [];
  });
  if (!runs.length) return [];
  const p50 = median(runs.map((run) => run.p50));
  const worstMax = Math.max(...runs.map((run) => run.max));
  const drops = roundRatios(rounds, 'loom-hostile', 'loom-1call').map((value) => 1 - value);
  const dropMedian = drops.length ? median(drops) : undefined;
  const dropWorst = drops.length ? Math.max(...drops) : undefined;
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
  return [
    `- Hostile document (the 5.5 KB fragment-spread bomb, 3 x 300 spreads, on the guarded BFF: query limits + cost limit), sent one at a time on one connection beside getUser's load: answered ${[...new Set(runs.flatMap((run) => run.answers))].join(', ')}; median answer ${p50.toFixed(1)} ms (target < 50 ms: ${verdict(p50 < 50)}), p99 by round ${runs.map((run) => run.p99.toFixed(1)).join(', ')} ms, worst ${worstMax.toFixed(1)} ms; ${runs.map((run) => run.count).join(', ')} answers by round`,
    `- getUser RPS with the bomb alongside vs getUser alone (same round): drop ${dropMedian === undefined ? '-' : percent(dropMedian)} median round (target < 10%: ${verdict(dropMedian !== undefined && dropMedian < 0.1)}), worst round ${dropWorst === undefined ? '-' : percent(dropWorst)}; per round: ${drops.map(percent).join(', ')}`,
  ];
}

function coldStartLines(meta: BenchMeta): string[] {
  if (meta.coldStartFailed) return [`- Cold start (bench/cold-start.ts): failed: ${meta.coldStartFailed}`];
  if (!meta.coldStart) return [];
  const targets: Record<string, number> = { compiled: 1000, 'compiled-warm-cache': 500 };
  return [
    `- Cold start of the demo (3 sources, 3 BFFs), spawn to the first 200 on /readyz, median of ${meta.coldStart.runs} (bench/cold-start.ts):`,
    ...meta.coldStart.results.map(
      (mode) =>
        `  - ${mode.label}: ${mode.medianMs} ms${targets[mode.id] ? ` (target < ${targets[mode.id]} ms: ${verdict(mode.medianMs < targets[mode.id])})` : ''}${mode.medianCpuMs === undefined ? '' : `, ${mode.medianCpuMs} ms CPU`}; runs: ${mode.samplesMs.join(', ')} ms`,
    ),
  ];
}

function reloadLines(meta: BenchMeta): string[] {
  if (meta.reloadFailed) return [`- Hot reload (bench/reload-under-load.ts): failed: ${meta.reloadFailed}`];
  const reload = meta.reload;
  if (!reload?.withReloads) return [];
  const { withReloads, without } = reload;
  return [
    `- Hot reload: ${reload.reloads} reloads (SIGHUP) under ${meta.connections} connections for ${reload.seconds} s (bench/reload-under-load.ts): ${withReloads.failed} failed of ${withReloads.requests} (target 0: ${verdict(withReloads.failed === 0)}); p99 during the reloads ${withReloads.p99} ms, without ${without?.p99 ?? '-'} ms (max ${withReloads.max} / ${without?.max ?? '-'} ms); reload times ${reload.reloadMs ?? '-'} ms`,
  ];
}

function websocketLines(meta: BenchMeta): string[] {
  if (meta.websocketFailed) return [`- WebSocket (bench/websocket-fanout.ts): failed: ${meta.websocketFailed}`];
  if (!meta.websocket) return [];
  const { subscriptions, perSubscription, fanOut, last } = meta.websocket;
  return [
    `- WebSocket: ${subscriptions} graphql-ws subscriptions on one process (bench/websocket-fanout.ts; its section below): memory per subscription (RSS / heap) ${perSubscription ?? '-'}; fan-out p50 / p99 ${fanOut ?? '-'}; to the last client, median / worst event ${last ?? '-'}`,
  ];
}

export function renderResults(meta: BenchMeta, results: ScenarioResult[], rounds: ScenarioResult[][] = []): string {
  const byId = new Map(results.map((result) => [result.id, result]));
  const header =
    '| scenario | RPS | p50 ms | p99 ms @conns | p99 ms by round | p50 ms@1 | p99 ms@1 | calls/req | calls/req@load | CPU ms/req | RSS MB | failed | vs direct | Loom/Hive |';
  const rows = results.map((result) => {
    if (result.failed)
      return `| ${result.label} | failed: ${result.failed.replace(/\|/g, '/').slice(0, 120)} |||||||||||||`;
    const baseline = result.baseline ? byId.get(result.baseline) : undefined;
    const peer = PEER_OF[result.id] ? byId.get(PEER_OF[result.id]) : undefined;
    const versusPeer = ratio(result.rps, peer?.rps);
    const p99s = rounds.map((round) => find(round, result.id)?.p99).filter((value) => value !== undefined);
    return `| ${result.label} | ${fixed(result.rps)} | ${fixed(result.p50)} | ${fixed(result.p99)} | ${p99s.join(', ')} | ${fixed(result.serialP50, 3)} | ${fixed(result.serialP99, 3)} | ${result.callsPerRequest ?? '-'} | ${fixed(result.callsUnderLoad, 2)} | ${fixed(result.cpuMsPerRequest, 3)} | ${fixed(result.rssMb)} | ${result.failures ?? '-'} | ${fixed(ratio(result.rps, baseline?.rps), 3)} | ${versusPeer ? `${versusPeer.toFixed(2)}x (vs ${PEER_OF[result.id]})` : '-'} |`;
  });
  const getUserP99 = rounds.flatMap((round) => {
    const p99 = find(round, 'loom-1call')?.p99;
    return p99 === undefined ? [] : [p99];
  });
  const targets = [
    ratioTarget(rounds, 'getUser, Loom / Hive', 'loom-1call', 'hive-1call', { median: 3, worst: 2.5 }),
    ratioTarget(rounds, '20 orders + user, Loom / Hive N+1', 'loom-orders-user', 'hive-nplus1', { median: 6 }),
    ratioTarget(rounds, '20 orders + user, Loom / Hive hand-batched', 'loom-orders-user', 'hive-batched', {
      median: 2.5,
    }),
    ratioTarget(rounds, 'cache hit / direct REST', 'loom-cache-hit', 'rest-user', { median: 0.5, percent: true }),
    getUserP99.length
      ? `- getUser p99 at ${meta.connections} connections: ${p99Line(rounds, 'loom-1call')} (target <= 40 ms: ${verdict(median(getUserP99) <= 40)}); Hive: ${p99Line(rounds, 'hive-1call')}`
      : undefined,
    ratioTarget(rounds, 'getUser, Loom --workers 2 / Loom 1 process', 'loom-1call-w2', 'loom-1call', {}),
    ratioTarget(rounds, 'getUser, Loom --workers 2 / Hive --fork 2', 'loom-1call-w2', 'hive-1call-fork2', {}),
    ratioTarget(rounds, 'getUser, Hive --fork 2 / Hive 1 process', 'hive-1call-fork2', 'hive-1call', {}),
    ...hostileLine(rounds),
    ...coldStartLines(meta),
    `- Demo RSS at ready (3 sources, 3 BFFs, --max-semi-space-size=32, started during the bench): ${meta.demoRssAtReadyMb} MB; spawn to ready then: ${meta.demoColdStartMs} ms`,
    meta.demoDefaultRssAfterRound1Mb !== undefined || meta.demoRssAfterRound1Mb !== undefined
      ? `- Demo RSS after round 1's gRPC + SOAP load: Node's default flags ${fixed(meta.demoDefaultRssAfterRound1Mb)} MB (target < 250 MB: ${verdict((meta.demoDefaultRssAfterRound1Mb ?? Infinity) < 250)}); with --max-semi-space-size=32 (as \`npm start\`) ${fixed(meta.demoRssAfterRound1Mb)} MB, ${meta.demoRssAfterLoadMb} MB after the last round. CPU ms/req of the two is in the table (the flag's trade).`
      : undefined,
    ...reloadLines(meta),
    ...websocketLines(meta),
  ].filter((line): line is string => line !== undefined);
  const { machine } = meta;
  return [
    '# Benchmark: Loom vs Hive Gateway (same backend, same machine, same run)',
    '',
    ...(meta.smoke ? ['**SMOKE RUN (SMOKE=1): a check of the harness, short windows; not figures to keep.**', ''] : []),
    `Machine: ${machine.cpu}, ${machine.cores} cores, load average at start ${machine.loadAverage}; Node ${machine.node}. Rounds: ${meta.rounds}.${meta.totalSeconds ? ` The whole run took ${Math.round(meta.totalSeconds / 60)} min.` : ''}`,
    '',
    `Run ${meta.date}, NODE_ENV=production, autocannon ${meta.connections} connections, ${meta.warmupSeconds} s warmup (${meta.warmupLaterSeconds} s from round 2) + ${meta.durationSeconds} s per scenario${meta.rounds > 1 ? `, ${meta.rounds} rounds (each row: that scenario's median-RPS round; target ratios: the median and the worst of the per-round ratios, then every round)` : ''}; scenarios run in compared pairs (Hive then Loom, direct REST then cache hit). Loom runs compiled (dist/) with --max-semi-space-size=32, as \`npm start\` does, except the "Node default flags" demo rows; Hive Gateway with its defaults. Produced by \`ROUNDS=${meta.rounds} npm run bench\` (bench/run.ts).`,
    '',
    header,
    `|${header
      .split('|')
      .slice(1, -1)
      .map(() => '---')
      .join('|')}|`,
    ...rows,
    '',
    '## Targets (issue #26)',
    '',
    ...targets,
    '',
    'Columns: RPS and p50/p99 under load (autocannon, 1 ms resolution; p99 by round: every round of the row); p50/p99 ms@1 = unloaded latency over sequential requests on one connection (round 1);',
    'calls/req = upstream calls for one probe request; calls/req@load = upstream calls / requests in the window; CPU ms/req = CPU time (user+sys from /proc) of',
    'the server under test, workers included / requests; RSS = the server under test, workers included, after its window; failed = non-2xx, errors and timeouts in the window; vs direct = RPS over the direct-REST row it is based on;',
    'Loom/Hive = Loom RPS over the matching Hive row. Compare rows of one run: 2 cores are shared by autocannon, the backends and the server under test.',
    '',
  ].join('\n');
}
