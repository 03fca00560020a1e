/**
 * Cost of versioning, per request: the same customer through an unversioned
 * BFF, through the current version of a versioned one (lifecycle plugin:
 * client headers, traffic counter), and through v1, whose mappings add a
 * graphql-tools wrapping layer (a rename, and a computed field); v1's view
 * hides a field, so it also loses the whole-graph shortcut (compare with the
 * unversioned BFF with the same view). One
 * in-process gateway and CRM backend (test/fixtures/versions), unloaded
 * latency on one keep-alive connection, targets alternating over rounds.
 *
 *   node bin/run-ts.js bench/version-overhead.ts
 *
 * Env: REQUESTS (per target per round, default 2000), ROUNDS (default 3).
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { startCrmBackend } from '../test/fixtures/versions/crm-backend';
import { validateConfig } from '../src/config/validate-config';
import { createGateway } from '../src/server/create-gateway';
import { listen } from '../src/server/create-http-server';
import { graphqlRequest, probe, serialLatency } from './lib/measure';

const ROOT = resolve(__dirname, '..');
const REQUESTS = Number(process.env.REQUESTS ?? 2000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

const TARGETS = [
  { name: 'unversioned BFF', path: '/plain/graphql', query: '{ getCustomer(id: "1") { id fullName tier } }' },
  {
    name: 'unversioned BFF, v1 view',
    path: '/trimmed/graphql',
    query: '{ getCustomer(id: "1") { id fullName tier } }',
  },
  {
    name: 'unversioned BFF, v1 view + view rename',
    path: '/renamed/graphql',
    query: '{ getCustomer(id: "1") { id name tier } }',
  },
  { name: 'current version (v2)', path: '/shop/v2/graphql', query: '{ getCustomer(id: "1") { id fullName tier } }' },
  { name: 'v1, renamed field', path: '/shop/v1/graphql', query: '{ getCustomer(id: "1") { id name tier } }' },
  { name: 'v1, computed field', path: '/shop/v1/graphql', query: '{ getCustomer(id: "1") { id label } }' },
];

async function main() {
  const backend = await startCrmBackend();
  const config = validateConfig(
    {
      sources: [
        { name: 'crm', kind: 'openapi', spec: './test/fixtures/versions/crm-openapi.yaml', endpoint: backend.url },
      ],
      bffs: {
        plain: './bench/bff/versions-plain.ts',
        trimmed: './bench/bff/versions-plain-trimmed.ts',
        renamed: './bench/bff/versions-renamed-view.ts',
        shop: './test/fixtures/versions/shop.ts',
      },
      port: 0,
      production: true,
    },
    'bench',
    ROOT,
  );
  // Before v1's deprecation date: every target answers 200.
  const gateway = await createGateway({ config, now: () => Date.parse('2026-03-01T00:00:00Z') });
  const server = await listen({ gateway }, 0);
  const samples = new Map<string, { p50: number[]; p99: number[] }>(
    TARGETS.map((target) => [target.name, { p50: [], p99: [] }]),
  );
  try {
    for (const target of TARGETS) await probe(graphqlRequest(`${server.url}${target.path}`, target.query));
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of round % 2 ? [...TARGETS].reverse() : TARGETS) {
        const result = await serialLatency(graphqlRequest(`${server.url}${target.path}`, target.query), REQUESTS);
        samples.get(target.name)!.p50.push(result.p50);
        samples.get(target.name)!.p99.push(result.p99);
      }
    }
  } finally {
    await server.close();
    await gateway.close();
    await backend.close();
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const base = median(samples.get(TARGETS[0].name)!.p50);
  process.stdout.write(
    [
      `Versioning overhead: ${REQUESTS} sequential requests per target per round, ${ROUNDS} rounds, node ${process.version}, load average ${loadavg()
        .map((value) => value.toFixed(1))
        .join(' ')}`,
      '',
      '| target | p50 ms (median of rounds) | p99 ms | p50 vs unversioned |',
      '|---|---|---|---|',
      ...TARGETS.map(({ name }) => {
        const { p50, p99 } = samples.get(name)!;
        const delta = ((median(p50) - base) / base) * 100;
        return `| ${name} | ${median(p50).toFixed(3)} | ${median(p99).toFixed(3)} | ${delta >= 0 ? '+' : ''}${delta.toFixed(1)}% |`;
      }),
      '',
    ].join('\n'),
  );
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
