/**
 * Cost of tracing: the same query through an in-process gateway and demo
 * catalog with tracing off (`loom serve` without an exporter: W3C propagation
 * only) and on (100% sampled, OTLP/HTTP export to a local sink). Load comes
 * from autocannon in a child process so it does not share the gateway's event
 * loop. Modes alternate over rounds to spread drift. 127.0.0.1 only.
 *
 *   node bin/run-ts.js bench/tracing-overhead.ts
 *
 * Env: DURATION (s per run, default 5), CONNECTIONS (default 20), ROUNDS (default 3).
 */
import { createServer } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { startCatalogBackend } from '../demo/catalog-backend';
import { validateConfig } from '../src/config/validate-config';
import { createGateway } from '../src/server/create-gateway';
import { listen } from '../src/server/create-http-server';
import { setupTracing } from '../src/observability/setup-tracing';
import { autocannonProcess } from './lib/autocannon-process';

const ROOT = resolve(__dirname, '..');
const DURATION = Number(process.env.DURATION ?? 5);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 20);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const QUERY = '{ getCustomer(id: "1") { id name } listProducts(limit: 5) { id name price } }';

type Mode = 'off' | 'on';

interface Run {
  mode: Mode;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  failures: number;
  cpuMicrosPerRequest: number;
}

/** A stand-in OTLP collector: drains bodies, counts spans without parsing. */
async function startSink() {
  let spans = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      spans += body.split('"spanId"').length - 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans: () => spans,
    close: () => new Promise<void>((done) => (server.closeAllConnections(), server.close(() => done()))),
  };
}

const autocannon = (url: string, connections: number, seconds: number) =>
  autocannonProcess({ url, connections, seconds, query: QUERY, headers: ['accept=application/json'] });

async function measure(mode: Mode, sinkUrl: string, catalogUrl: string): Promise<Run[]> {
  // http/json: the sink counts spans in the JSON body, as in the figures the README records.
  const tracing = setupTracing(
    mode === 'on'
      ? { sampleRatio: 1, env: { LOOM_OTLP_ENDPOINT: sinkUrl, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' } }
      : { env: {} },
  );
  const config = validateConfig(
    {
      sources: [{ name: 'catalog', kind: 'openapi', spec: './sources/catalog/openapi.yaml', endpoint: catalogUrl }],
      bffs: { bench: './bench/bff/bench.ts' },
      port: 0,
      production: true,
    },
    'bench',
    ROOT,
  );
  const gateway = await createGateway({ config });
  const server = await listen({ gateway }, 0);
  const url = `${server.url}/bench/graphql`; // no policies: the difference is tracing alone
  const runs: Run[] = [];
  try {
    const probe = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUERY }),
    });
    const body = (await probe.json()) as { errors?: unknown };
    if (probe.status !== 200 || body.errors)
      throw new Error(`probe failed: ${probe.status} ${JSON.stringify(body).slice(0, 300)}`);
    await autocannon(url, CONNECTIONS, 3); // warm-up: JIT, keep-alive pools
    for (const connections of [1, CONNECTIONS]) {
      const cpuBefore = process.cpuUsage();
      const result = await autocannon(url, connections, DURATION);
      const cpu = process.cpuUsage(cpuBefore);
      runs.push({
        mode,
        connections,
        rps: result.rps,
        p50: result.p50,
        p99: result.p99,
        failures: result.failures,
        cpuMicrosPerRequest: (cpu.user + cpu.system) / Math.max(1, result.total),
      });
    }
  } finally {
    await server.close();
    await gateway.close();
    await tracing.shutdown();
  }
  return runs;
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

async function main() {
  const backend = await startCatalogBackend();
  const sink = await startSink();
  const runs: Run[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of ['off', 'on'] as const) {
        process.stdout.write(`round ${round + 1}/${ROUNDS}: tracing ${mode}\n`);
        runs.push(...(await measure(mode, sink.url, backend.url)));
      }
    }
  } finally {
    await sink.close();
    await backend.close();
  }
  const rows = (['off', 'on'] as const).flatMap((mode) =>
    [1, CONNECTIONS].map((connections) => {
      const selected = runs.filter((run) => run.mode === mode && run.connections === connections);
      return {
        mode,
        connections,
        rps: Math.round(mean(selected.map((run) => run.rps))),
        p50: mean(selected.map((run) => run.p50)),
        p99: mean(selected.map((run) => run.p99)),
        cpuMicrosPerRequest: Math.round(mean(selected.map((run) => run.cpuMicrosPerRequest))),
        failures: selected.reduce((sum, run) => sum + run.failures, 0),
      };
    }),
  );
  const lines = [
    `Tracing overhead: ${QUERY} (2 upstream calls, 6 spans per request), ${ROUNDS} rounds x ${DURATION}s, node ${process.version}`,
    '',
    '| tracing | connections | req/s | p50 ms | p99 ms | CPU µs/req (gateway+catalog) | failures |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.mode} | ${row.connections} | ${row.rps} | ${row.p50.toFixed(2)} | ${row.p99.toFixed(2)} | ${row.cpuMicrosPerRequest} | ${row.failures} |`,
    ),
  ];
  for (const connections of [1, CONNECTIONS]) {
    const off = rows.find((row) => row.mode === 'off' && row.connections === connections)!;
    const on = rows.find((row) => row.mode === 'on' && row.connections === connections)!;
    lines.push(
      '',
      `c=${connections}: throughput ${(((on.rps - off.rps) / off.rps) * 100).toFixed(1)}%, CPU per request +${(((on.cpuMicrosPerRequest - off.cpuMicrosPerRequest) / off.cpuMicrosPerRequest) * 100).toFixed(1)}% with tracing on`,
    );
  }
  lines.push(
    '',
    `spans received by the OTLP sink: ${sink.spans()}; load average at the end: ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')} (other work on the machine skews absolute numbers)`,
  );
  process.stdout.write(`\n${lines.join('\n')}\n`);
  mkdirSync(resolve(__dirname, 'out'), { recursive: true });
  writeFileSync(
    resolve(__dirname, 'out/tracing-overhead.json'),
    JSON.stringify({ rows, runs, spansExported: sink.spans() }, null, 2),
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
