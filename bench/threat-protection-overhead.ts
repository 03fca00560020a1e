/**
 * CPU cost of useThreatProtection per request: the same operations through an
 * in-process Yoga app (tiny schema, resolvers return at once) without the
 * plugin, with the size limits only, and with limits plus the three built-in
 * pattern families. Modes alternate over rounds to spread drift; the figure is
 * the median round's CPU microseconds per request. No network at all.
 *
 *   node bin/run-ts.js bench/threat-protection-overhead.ts
 *
 * Env: REQUESTS (per mode and round, default 2000), ROUNDS (default 5).
 */
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createYoga, type Plugin } from 'graphql-yoga';
import { useThreatProtection } from '../src/plugins/threat-protection/use-threat-protection';

const REQUESTS = Number(process.env.REQUESTS ?? 2000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

const schema = makeExecutableSchema({
  typeDefs: `
    input ReviewInput { title: String, body: String, tags: [String!] }
    type Query { search(term: String): [String!]! }
    type Mutation { createReview(input: ReviewInput!): String }
  `,
  resolvers: { Query: { search: () => [] }, Mutation: { createReview: () => 'ok' } },
});

const BODIES: Record<string, string> = {
  'small query (one variable)': JSON.stringify({
    query: 'query($term: String) { search(term: $term) }',
    variables: { term: 'wireless headphones' },
  }),
  'review (2 KB text, 50 tags)': JSON.stringify({
    query: 'mutation($input: ReviewInput!) { createReview(input: $input) }',
    variables: {
      input: {
        title: 'Great value for the price',
        body: 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(36),
        tags: Array.from({ length: 50 }, (_, index) => `tag-${index}`),
      },
    },
  }),
};

const MODES: Record<string, Plugin[]> = {
  off: [],
  limits: [useThreatProtection()],
  'limits + patterns': [useThreatProtection({ patterns: ['sql-injection', 'script-injection', 'path-traversal'] })],
};

async function cpuMicrosPerRequest(plugins: Plugin[], body: string): Promise<number> {
  const yoga = createYoga({ schema, plugins, logging: false, landingPage: false, graphiql: false });
  const send = async () => {
    const response = await yoga.fetch('http://bench.local/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
    await response.text();
  };
  for (let index = 0; index < 200; index++) await send(); // warm-up
  const started = process.cpuUsage();
  for (let index = 0; index < REQUESTS; index++) await send();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / REQUESTS;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  console.log(`| operation | ${Object.keys(MODES).join(' | ')} |`);
  console.log(
    `|---|${Object.keys(MODES)
      .map(() => '---')
      .join('|')}|`,
  );
  for (const [name, body] of Object.entries(BODIES)) {
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(MODES).map((mode) => [mode, []]));
    for (let round = 0; round < ROUNDS; round++)
      for (const [mode, plugins] of Object.entries(MODES)) samples[mode].push(await cpuMicrosPerRequest(plugins, body));
    const cells = Object.keys(MODES).map((mode) => `${median(samples[mode]).toFixed(0)} µs`);
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
