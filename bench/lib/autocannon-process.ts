import { execFile } from 'node:child_process';

export interface ProcessLoad {
  url: string;
  connections: number;
  seconds: number;
  /** The GraphQL query POSTed as `{ query }`. */
  query: string;
  /** More `name=value` headers beside `content-type=application/json`. */
  headers?: string[];
}

export interface ProcessLoadResult {
  rps: number;
  total: number;
  p50: number;
  p99: number;
  max: number;
  /** Non-2xx answers, errors and timeouts. */
  failures: number;
}

/** autocannon as a child process (its own event loop, off the caller's), its JSON summary back. */
export function autocannonProcess({
  url,
  connections,
  seconds,
  query,
  headers = [],
}: ProcessLoad): Promise<ProcessLoadResult> {
  const args = [
    require.resolve('autocannon/autocannon.js'),
    '--json',
    '--no-progress',
    '-c',
    String(connections),
    '-d',
    String(seconds),
    '-m',
    'POST',
    '-H',
    'content-type=application/json',
    ...headers.flatMap((header) => ['-H', header]),
    '-b',
    JSON.stringify({ query }),
    url,
  ];
  return new Promise((done, fail) => {
    execFile(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      if (error) return fail(error);
      const result = JSON.parse(stdout);
      done({
        rps: result.requests.average,
        total: result.requests.total,
        p50: result.latency.p50,
        p99: result.latency.p99,
        max: result.latency.max,
        failures: result.non2xx + result.errors + result.timeouts,
      });
    });
  });
}
