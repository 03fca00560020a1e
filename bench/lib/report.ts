import type { LoadResult } from './measure';

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
}

export interface BenchMeta {
  date: string;
  node: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  demoColdStartMs: number;
  demoRssAtReadyMb: number;
  demoRssAfterLoadMb: number;
  rounds: number;
}

const fixed = (value: number | undefined, digits = 0) =>
  value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);

/** Which Hive row each Loom row is compared with, and the target ratio the issue sets. */
const PEER_OF: Record<string, { peer: string; target?: number }> = {
  'loom-1call': { peer: 'hive-1call', target: 2.5 },
  'loom-orders-user': { peer: 'hive-nplus1', target: 4 },
};

function ratio(numerator: number | undefined, denominator: number | undefined): number | undefined {
  return numerator && denominator ? numerator / denominator : undefined;
}

/** The ratio within each round, when there were several: how much a median ratio can be trusted. */
function perRound(rounds: ScenarioResult[][], id: string, base: string, format: (value: number) => string): string {
  if (rounds.length < 2) return '';
  const values = rounds.map((round) =>
    ratio(round.find((result) => result.id === id)?.rps, round.find((result) => result.id === base)?.rps),
  );
  return `; per round: ${values.map((value) => (value === undefined ? '-' : format(value))).join(', ')}`;
}

export function renderResults(meta: BenchMeta, results: ScenarioResult[], rounds: ScenarioResult[][] = []): string {
  const byId = new Map(results.map((result) => [result.id, result]));
  const header =
    '| scenario | RPS | p50 ms | p99 ms | p50 ms@1 | p99 ms@1 | calls/req | calls/req@load | CPU ms/req | RSS MB | failed | vs direct | Loom/Hive |';
  const rows = results.map((result) => {
    if (result.failed)
      return `| ${result.label} | failed: ${result.failed.replace(/\|/g, '/').slice(0, 120)} ||||||||||||`;
    const baseline = result.baseline ? byId.get(result.baseline) : undefined;
    const peer = PEER_OF[result.id] ? byId.get(PEER_OF[result.id].peer) : undefined;
    const versusPeer = ratio(result.rps, peer?.rps);
    return `| ${result.label} | ${fixed(result.rps)} | ${fixed(result.p50)} | ${fixed(result.p99)} | ${fixed(result.serialP50, 3)} | ${fixed(result.serialP99, 3)} | ${result.callsPerRequest ?? '-'} | ${fixed(result.callsUnderLoad, 2)} | ${fixed(result.cpuMsPerRequest, 3)} | ${fixed(result.rssMb)} | ${result.failures ?? '-'} | ${fixed(ratio(result.rps, baseline?.rps), 3)} | ${versusPeer ? `${versusPeer.toFixed(2)}x (vs ${PEER_OF[result.id].peer})` : '-'} |`;
  });
  const targets: string[] = [];
  for (const [id, { peer, target }] of Object.entries(PEER_OF)) {
    const value = ratio(byId.get(id)?.rps, byId.get(peer)?.rps);
    if (target && value)
      targets.push(
        `- ${id} / ${peer}: ${value.toFixed(2)}x (target >= ${target}x: ${value >= target ? 'met' : `missed by ${(target - value).toFixed(2)}x`}${perRound(rounds, id, peer, (x) => `${x.toFixed(2)}x`)})`,
      );
  }
  const cacheHit = ratio(byId.get('loom-cache-hit')?.rps, byId.get('rest-user')?.rps);
  if (cacheHit)
    targets.push(
      `- cache hit / direct REST: ${(cacheHit * 100).toFixed(1)}% (target >= 15%: ${cacheHit >= 0.15 ? 'met' : 'missed'}${perRound(rounds, 'loom-cache-hit', 'rest-user', (x) => `${(x * 100).toFixed(1)}%`)})`,
    );
  targets.push(
    `- Loom demo cold start to ready (3 sources, 3 BFFs): ${meta.demoColdStartMs} ms (target < 1500 ms: ${meta.demoColdStartMs < 1500 ? 'met' : 'missed'})`,
  );
  targets.push(
    `- Loom demo RSS at ready (3 sources, 3 BFFs): ${meta.demoRssAtReadyMb} MB (target < 200 MB: ${meta.demoRssAtReadyMb < 200 ? 'met' : 'missed'}); after the gRPC/SOAP load: ${meta.demoRssAfterLoadMb} MB`,
  );
  return [
    '# Benchmark: Loom vs Hive Gateway (same backend, same machine, same run)',
    '',
    `Run ${meta.date}, Node ${meta.node}, NODE_ENV=production, autocannon ${meta.connections} connections, ${meta.warmupSeconds} s warmup + ${meta.durationSeconds} s per scenario${meta.rounds > 1 ? `, ${meta.rounds} rounds (each row: that scenario's median-RPS round; target ratios: of the medians, then round by round)` : ''}; scenarios run in compared pairs (Hive then Loom, direct REST then cache hit). Loom runs with --max-semi-space-size=32, as \`npm start\` does; Hive Gateway with its defaults. Produced by \`npm run bench\` (bench/run.ts).`,
    '',
    header,
    `|${header
      .split('|')
      .slice(1, -1)
      .map(() => '---')
      .join('|')}|`,
    ...rows,
    '',
    '## Targets (issue #12)',
    '',
    ...targets,
    '',
    'Columns: RPS and p50/p99 under load (autocannon, 1 ms resolution); p50/p99 ms@1 = unloaded latency over sequential requests on one connection;',
    'calls/req = upstream calls for one probe request; calls/req@load = upstream calls / requests in the window; CPU ms/req = CPU time (user+sys from /proc) of',
    'the server under test / requests; failed = non-2xx, errors and timeouts in the window; vs direct = RPS over the direct-REST row it is based on;',
    'Loom/Hive = Loom RPS over the matching Hive row. Compare rows of one run: 2 cores are shared by autocannon, the backends and the server under test.',
    '',
  ].join('\n');
}
