/**
 * Issue 25, item 1: the 5.5 KB fragment-spread bomb (three fragments of 300
 * spreads each) against the demo's web BFF in process (catalog backend on
 * 127.0.0.1). Reports the answer time of each request (target: under 50 ms)
 * and the time the cost function alone takes, full and stopping at web's
 * maxCost. Not a test: timings depend on the machine.
 *
 *   node bin/run-ts.js bench/cost-spread-bomb.ts
 *
 * Env: ROUNDS (requests, default 20), WIDTH (spreads per fragment, default 300).
 */
import { resolve } from 'node:path';
import { parse } from 'graphql';
import { startCatalogBackend } from '../demo/catalog-backend';
import { validateConfig } from '../src/config/validate-config';
import { createQueryCostCalculator } from '../src/plugins/cost/compute-query-cost';
import { createGateway } from '../src/server/create-gateway';
import { listen } from '../src/server/create-http-server';

const ROOT = resolve(__dirname, '..');
const ROUNDS = Number(process.env.ROUNDS ?? 20);
const WIDTH = Number(process.env.WIDTH ?? 300);
const WEB_MAX_COST = 5000;

const spreads = (name: string) => Array.from({ length: WIDTH }, () => `...${name}`).join(' ');
const BOMB = `{ ...F0 } fragment F0 on Query { ${spreads('F1')} } fragment F1 on Query { ${spreads('F2')} } fragment F2 on Query { ${spreads('F3')} } fragment F3 on Query { listProducts { id } }`;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return `median ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms`;
};

async function main() {
  const backend = await startCatalogBackend({ apiKey: 'bench-key' });
  const config = validateConfig(
    {
      port: 0,
      sources: [
        {
          name: 'catalog',
          kind: 'openapi',
          spec: './sources/catalog/openapi.yaml',
          endpoint: backend.url,
          headers: { 'x-api-key': 'bench-key' },
        },
      ],
      bffs: { web: './bff/web.ts' },
    },
    '<bench>',
    ROOT,
  );
  const gateway = await createGateway({ config });
  const server = await listen({ gateway }, 0);
  try {
    console.log(`document: ${BOMB.length} bytes, ${3 * WIDTH} spreads`);
    const answers: number[] = [];
    let codes = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      const response = await fetch(`${server.url}/web/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query: BOMB }),
      });
      const body = (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
      answers.push(performance.now() - started);
      codes = new Set([
        ...codes,
        ...(body.errors ?? []).map((error) => `${response.status} ${error.extensions?.code}`),
      ]);
    }
    console.log(`web answers (${[...codes].join(', ')}): ${summary(answers)}`);

    const schema = gateway.bffs.get('web')!.schema;
    const document = parse(BOMB);
    const calculate = createQueryCostCalculator();
    for (const [label, stopAbove] of [
      ['full', Number.POSITIVE_INFINITY],
      [`stop above ${WEB_MAX_COST}`, WEB_MAX_COST],
    ] as const) {
      const times: number[] = [];
      let cost = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const started = performance.now();
        cost = calculate(schema, document, {}, { stopAbove });
        times.push(performance.now() - started);
      }
      console.log(`cost function, ${label}: cost ${cost}, ${summary(times)}`);
    }
  } finally {
    await server.close();
    await gateway.close();
    await backend.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
