/**
 * `node bin/run-ts.js bench/allocations.ts`: bytes allocated per request on
 * the bench's getUser scenario (Loom with the shop config and `npm start`'s
 * flags, ../shared/peer-bench's backend, 50 connections), from V8's sampling
 * heap profiler counting collected objects too; prints the total per request
 * and the largest shares by package and by function. Allocation is what the
 * young generation's scavenges cost, and what promotes to the old one under
 * load (RSS). QUERY= loads another document, BFF= another BFF (cached: the
 * cache-hit row), SECONDS= the sampled window (default 5); DEMO=1 serves the
 * demo's REST, gRPC and SOAP sources (`--demo`, bench/loom-demo.config.ts, its
 * backends in the same process, and so in the figures) instead of the shop on
 * the peer backend, e.g. with QUERY='{ getInvoice(orderId: "o1") { invoiceId
 * amount status dueAt } }' for the SOAP row. The profiler
 * slows the process: compare the bytes, not the request rate. Writes
 * bench/out/allocations.heapprofile (open it in Chrome's DevTools).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { autocannonProcess } from './lib/autocannon-process';
import { freePort, startProcess, stopAll, waitForUrl } from './lib/processes';

const ROOT = resolve(__dirname, '..');
const OUT = resolve(__dirname, 'out');
const PEER = resolve(ROOT, '../shared/peer-bench');
const PROFILE = resolve(OUT, 'allocations.heapprofile');
const QUERY = process.env.QUERY ?? '{ getUser(id: 1) { id name email } }';
const SECONDS = Math.max(1, Number(process.env.SECONDS ?? 5));

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

/** The package (or Loom file) a frame belongs to. */
function ownerOf(url: string): string {
  if (!url) return '(V8 and native)';
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage) return inPackage[1];
  if (url.startsWith('node:')) return 'node';
  return url.includes(`${ROOT}/`) ? `loom ${url.slice(url.indexOf(ROOT) + ROOT.length + 1)}` : url;
}

function summarize(head: ProfileNode, requests: number): void {
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  const add = (map: Map<string, number>, key: string, bytes: number) => map.set(key, (map.get(key) ?? 0) + bytes);
  const visit = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    total += node.selfSize;
    const owner = ownerOf(url);
    add(byOwner, owner.startsWith('loom ') ? 'loom' : owner, node.selfSize);
    add(byFunction, `${functionName || '(anonymous)'} ${owner}:${lineNumber + 1}`, node.selfSize);
    node.children.forEach(visit);
  };
  visit(head);
  const perRequest = (bytes: number) => `${(bytes / requests / 1024).toFixed(1)} KB`;
  console.log(`${requests} requests sampled; allocated per request: ${perRequest(total)}`);
  for (const [title, map] of [
    ['by package', byOwner],
    ['by function', byFunction],
  ] as const) {
    console.log(`\n${title} (per request)`);
    for (const [key, bytes] of [...map].sort((a, b) => b[1] - a[1]).slice(0, 15))
      console.log(`${perRequest(bytes).padStart(10)}  ${key}`);
  }
}

/** ../shared/peer-bench's backend (the bench's getUser data); its URL. */
async function startPeerBackend(): Promise<string> {
  const port = await freePort();
  const backend = startProcess(
    'allocations-backend',
    process.execPath,
    ['backend/server.mjs'],
    { cwd: PEER, env: { BACKEND_PORT: String(port) } },
    OUT,
  );
  await waitForUrl(`http://127.0.0.1:${port}/__stats`, backend);
  return `http://127.0.0.1:${port}`;
}

async function main(): Promise<void> {
  rmSync(PROFILE, { force: true });
  const demo = process.env.DEMO === '1';
  const backendUrl = demo ? undefined : await startPeerBackend();
  const port = await freePort();
  const config = demo ? ['--demo', '--config', 'bench/loom-demo.config.ts'] : ['--config', 'bench/loom-shop.config.ts'];
  const loom = startProcess(
    'allocations-loom',
    process.execPath,
    [
      '--max-semi-space-size=32',
      '--require',
      resolve(__dirname, 'lib/sample-allocations.cjs'),
      'bin/loom.js',
      'serve',
      ...config,
      '--port',
      String(port),
    ],
    {
      cwd: ROOT,
      env: {
        NODE_ENV: 'production',
        LOOM_LOG_LEVEL: 'warn',
        LOOM_ALLOCATION_PROFILE: PROFILE,
        ...(backendUrl ? { BENCH_BACKEND_URL: backendUrl } : {}),
      },
    },
    OUT,
  );
  await waitForUrl(`http://127.0.0.1:${port}/readyz`, loom);
  const url = `http://127.0.0.1:${port}/${process.env.BFF ?? 'bench'}/graphql`;
  await autocannonProcess({ url, connections: 50, seconds: 3, query: QUERY }); // warm-up
  loom.child.kill('SIGUSR2');
  const sampled = await autocannonProcess({ url, connections: 50, seconds: SECONDS, query: QUERY });
  loom.child.kill('SIGUSR2');
  for (let waited = 0; !existsSync(PROFILE) && waited < 30_000; waited += 100)
    await new Promise((done) => setTimeout(done, 100));
  await stopAll();
  if (sampled.failures > 0) console.log(`warning: ${sampled.failures} failed requests in the sampled window`);
  const profile = JSON.parse(readFileSync(PROFILE, 'utf8')) as { head: ProfileNode };
  summarize(profile.head, sampled.total);
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
