import { Worker } from 'node:worker_threads';
import type { BenchRequest } from './measure';

/**
 * Issue 25's fragment fan-out case (test/security/hostile-documents.ts, "5.5 KB
 * spread bomb"): three fragments of `width` spreads each, on the bench's
 * schema. Walked naively it is 300^3 getUser fields.
 */
export function spreadBomb(width = 300): string {
  const spreads = (name: string) => Array.from({ length: width }, () => `...${name}`).join(' ');
  return `{ ...F0 } fragment F0 on Query { ${spreads('F1')} } fragment F1 on Query { ${spreads('F2')} } fragment F2 on Query { ${spreads('F3')} } fragment F3 on Query { getUser(id: 1) { id } }`;
}

export interface HostileResult {
  count: number;
  p50: number;
  p99: number;
  max: number;
  /** `<status> <extensions.code>` of the answers, deduplicated. */
  answers: string[];
}

/**
 * Sends `request` one at a time on one keep-alive connection (one attacker)
 * until `stop` resolves; answer times in ms. The attacker runs in a worker
 * thread of its own: on the bench's event loop its request building and
 * answer parsing would slow autocannon's load and show up as a drop in the
 * RPS the row compares.
 */
export async function sendUntil(request: BenchRequest, stop: Promise<unknown>): Promise<HostileResult> {
  // tsx (esbuild with keepNames) may wrap inner functions in `__name(...)`: the worker defines it.
  const source = `const __name = (fn) => fn; (${attack.toString()})()`;
  const worker = new Worker(source, { eval: true, workerData: request });
  const result = new Promise<HostileResult>((resolve, reject) => {
    worker.once('message', (message: HostileResult) => resolve(message));
    worker.once('error', reject);
  });
  await stop;
  worker.postMessage('stop');
  const answered = await result;
  await worker.terminate();
  return answered;
}

/** The attacker's loop, run as the source of a worker thread: self-contained, no imports. */
function attack(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const http = require('node:http') as typeof import('node:http');
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const request = workerData as BenchRequest;
  let stopped = false;
  parentPort?.once('message', () => (stopped = true));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const answers = new Set<string>();
  const one = () =>
    new Promise<number>((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = http.request(
        request.url,
        { method: request.method ?? 'POST', headers: request.headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
            let code = '-';
            try {
              const body = JSON.parse(Buffer.concat(chunks).toString()) as {
                errors?: Array<{ extensions?: { code?: string } }>;
              };
              code = body.errors?.[0]?.extensions?.code ?? 'no error';
            } catch {
              code = 'not JSON';
            }
            answers.add(`${res.statusCode} ${code}`);
            resolve(elapsed);
          });
        },
      );
      req.on('error', reject);
      req.end(request.body);
    });
  void (async () => {
    const samples: number[] = [];
    while (!stopped) samples.push(await one());
    agent.destroy();
    samples.sort((a, b) => a - b);
    const quantile = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? NaN;
    const result: HostileResult = {
      count: samples.length,
      p50: quantile(0.5),
      p99: quantile(0.99),
      max: samples.at(-1) ?? NaN,
      answers: [...answers],
    };
    parentPort?.postMessage(result);
  })();
}
