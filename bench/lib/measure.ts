import { execSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import http from 'node:http';
import autocannon from 'autocannon';

export interface BenchRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

export const graphqlRequest = (url: string, query: string, headers: Record<string, string> = {}): BenchRequest => ({
  url,
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
  body: JSON.stringify({ query }),
});

let clockTicks = 100;
try {
  clockTicks = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;
} catch {
  // keep the usual default
}

/** CPU seconds (user + system) a process has used, from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** Resident set size of a process in MB, from /proc. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** A process and its live descendants (a node:cluster primary and its workers), from /proc. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // exited while listing
    }
  }
  const tree = [pid];
  for (let index = 0; index < tree.length; index++) tree.push(...(children.get(tree[index]) ?? []));
  return tree;
}

const sumOver = (pids: number[], measure: (pid: number) => number) =>
  pids.reduce((total, pid) => {
    try {
      return total + measure(pid);
    } catch {
      return total; // exited meanwhile
    }
  }, 0);

/** CPU seconds of a process and its live descendants (workers). */
export const treeCpuSeconds = (pid: number): number => sumOver(processTree(pid), cpuSeconds);

/** RSS in MB of a process and its live descendants (workers). */
export const treeRssMb = (pid: number): number => sumOver(processTree(pid), rssMb);

export interface Machine {
  cpu: string;
  cores: number;
  loadAverage: string;
  node: string;
}

/** The machine a run is on, and how busy it was when the run started. */
export const machine = (): Machine => ({
  cpu: cpus()[0]?.model.trim() ?? 'unknown',
  cores: cpus().length,
  loadAverage: loadavg()
    .map((value) => value.toFixed(2))
    .join(' '),
  node: process.version,
});

/** Sends one request; throws unless it is a 200 without GraphQL errors. */
export async function probe(request: BenchRequest): Promise<unknown> {
  const response = await fetch(request.url, {
    method: request.method ?? 'GET',
    headers: request.headers,
    body: request.body,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`HTTP ${response.status} from ${request.url}: ${text.slice(0, 300)}`);
  const body = JSON.parse(text) as { errors?: unknown };
  if (body && typeof body === 'object' && 'errors' in body && body.errors)
    throw new Error(`GraphQL errors: ${JSON.stringify(body.errors).slice(0, 300)}`);
  return body;
}

/** Unloaded latency: `count` sequential requests on one keep-alive connection (µs resolution). */
export async function serialLatency(request: BenchRequest, count: number): Promise<{ p50: number; p99: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const one = () =>
    new Promise<number>((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = http.request(
        request.url,
        { method: request.method ?? 'GET', headers: request.headers, agent },
        (res) => {
          res.resume();
          res.on('end', () => resolve(Number(process.hrtime.bigint() - started) / 1e6));
        },
      );
      req.on('error', reject);
      req.end(request.body);
    });
  for (let index = 0; index < Math.min(50, count); index++) await one();
  const samples: number[] = [];
  for (let index = 0; index < count; index++) samples.push(await one());
  agent.destroy();
  samples.sort((a, b) => a - b);
  const quantile = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { p50: quantile(0.5), p99: quantile(0.99) };
}

export interface LoadResult {
  rps: number;
  total: number;
  p50: number;
  p99: number;
  failures: number;
}

/** Closed-loop load with autocannon for `seconds`. */
export async function load(request: BenchRequest, connections: number, seconds: number): Promise<LoadResult> {
  const result = await autocannon({
    url: request.url,
    method: request.method ?? 'GET',
    headers: request.headers,
    body: request.body,
    connections,
    duration: seconds,
  });
  return {
    rps: result.requests.average,
    total: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}
