/**
 * WebSocket subscriptions at scale: N graphql-ws clients (default 1,000), one
 * socket and one `watchOrders` subscription each, against one gateway process
 * over the demo gRPC orders stream. Measures the gateway's memory per open
 * subscription (RSS and heap after GC, before and after opening them all) and
 * the fan-out latency of an event published on the gRPC stream: from publish
 * to each client's receipt (p50, p99, last). Server and clients run in
 * separate processes. 127.0.0.1 only.
 *
 *   node bin/run-ts.js bench/websocket-fanout.ts
 *
 * Writes its section of bench/RESULTS.md (WRITE_RESULTS=0: print only).
 * Env: SUBSCRIPTIONS (default 1000), EVENTS (default 20).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { writeSection } from './lib/results-sections';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';

const SUBSCRIPTIONS = Number(process.env.SUBSCRIPTIONS ?? 1_000);
const EVENTS = Number(process.env.EVENTS ?? 20);
const CONNECT_BATCH = 50;
const WATCH = 'subscription { watchOrders(customerId: "") { orderId status } }';

interface Memory {
  rss: number;
  heapUsed: number;
  openWatches: number;
  sockets: number;
}

/** Milliseconds since the epoch with sub-millisecond precision, comparable across processes on one machine. */
const now = () => performance.timeOrigin + performance.now();

function request<T>(child: ChildProcess, command: unknown, reply: string): Promise<T> {
  return new Promise((done) => {
    const listen = (message: { type: string }) => {
      if (message.type !== reply) return;
      child.off('message', listen);
      done(message as T);
    };
    child.on('message', listen);
    if (command) child.send(command as never);
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function main(): Promise<void> {
  const child = fork(resolve(__dirname, 'lib/websocket-fanout-server.ts'), [], {
    execArgv: ['--expose-gc', '--require', 'tsx/cjs'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const { url } = await request<{ url: string }>(child, undefined, 'ready');
  const before = await request<Memory>(child, { type: 'measure' }, 'memory');

  const pending = new Map<number, { started: number; latencies: number[]; done: () => void }>();
  const clients: Client[] = [];
  let initial = 0;
  let ready!: () => void;
  const allReady = new Promise<void>((done) => (ready = done));
  let closedEarly = 0;
  // In batches, each connected before the next starts: a burst of 1,000 handshakes on a loaded
  // 2-core machine would measure the accept queue, not the subscriptions.
  for (let index = 0; index < SUBSCRIPTIONS; index += CONNECT_BATCH) {
    const batch = Array.from({ length: Math.min(CONNECT_BATCH, SUBSCRIPTIONS - index) }, () => {
      let connected!: () => void;
      const isConnected = new Promise<void>((done) => (connected = done));
      const client = createClient({
        url: `${url.replace('http', 'ws')}/live/graphql`,
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
        on: {
          connected: () => connected(),
          closed: () => {
            closedEarly++;
            connected();
          },
        },
      });
      clients.push(client);
      client.subscribe<{ watchOrders: { orderId: string } }>(
        { query: WATCH },
        {
          next: ({ data }) => {
            const id = data?.watchOrders.orderId ?? '';
            if (id.startsWith('o')) {
              // The three current orders every watch starts with.
              if (++initial === SUBSCRIPTIONS * 3) ready();
              return;
            }
            const event = pending.get(Number(id));
            if (!event) return;
            event.latencies.push(now() - event.started);
            if (event.latencies.length === SUBSCRIPTIONS) event.done();
          },
          error: (error) => console.error('subscription failed', error),
          complete: () => undefined,
        },
      );
      return isConnected;
    });
    await Promise.all(batch);
  }
  if (closedEarly > 0) throw new Error(`${closedEarly} sockets closed before the measurement`);
  await allReady;
  const opened = await request<Memory>(child, { type: 'measure' }, 'memory');

  const latencies: number[] = [];
  const lasts: number[] = [];
  for (let round = 0; round < EVENTS; round++) {
    const started = now();
    const delivered = new Promise<void>((done) => pending.set(started, { started, latencies: [], done }));
    child.send({ type: 'publish', at: started });
    await delivered;
    const event = pending.get(started)!;
    latencies.push(...event.latencies);
    lasts.push(Math.max(...event.latencies));
    pending.delete(started);
  }
  latencies.sort((a, b) => a - b);
  lasts.sort((a, b) => a - b);

  const perSubscription = (key: 'rss' | 'heapUsed') => (opened[key] - before[key]) / SUBSCRIPTIONS / 1024;
  const lines = [
    `## WebSocket fan-out (graphql-ws): ${SUBSCRIPTIONS} subscriptions on one process`,
    '',
    `Run ${new Date().toISOString()}, Node ${process.version}, NODE_ENV=production; ${SUBSCRIPTIONS} graphql-ws clients (one socket and one \`watchOrders\` subscription each, all open at once: ${opened.sockets} sockets, ${opened.openWatches} gRPC streams) in a separate process from the gateway; ${EVENTS} events published on the demo gRPC stream, one at a time. Produced by \`node bin/run-ts.js bench/websocket-fanout.ts\`.`,
    '',
    '| measure | value |',
    '|---|---|',
    `| gateway RSS, before / with the subscriptions open | ${(before.rss / 1048576).toFixed(0)} MB / ${(opened.rss / 1048576).toFixed(0)} MB |`,
    `| memory per subscription (RSS delta / heap delta after GC) | ${perSubscription('rss').toFixed(1)} KB / ${perSubscription('heapUsed').toFixed(1)} KB |`,
    `| fan-out latency, publish to a client's receipt: p50 / p99 | ${percentile(latencies, 0.5).toFixed(1)} ms / ${percentile(latencies, 0.99).toFixed(1)} ms |`,
    `| publish to the last of the ${SUBSCRIPTIONS} clients: median / worst of ${EVENTS} events | ${percentile(lasts, 0.5).toFixed(1)} ms / ${lasts[lasts.length - 1].toFixed(1)} ms |`,
    '',
    `Each socket holds one gRPC server stream (one per subscription, as over SSE). The measured process runs the gateway and the demo gRPC backend, so the memory per subscription includes the backend's side of each stream. The clients share the 2 cores with it; load average at the end: ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')} (other work on the machine inflates the latencies).`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (process.env.WRITE_RESULTS !== '0')
    writeSection(resolve(__dirname, 'RESULTS.md'), 'websocket-fanout', lines.join('\n'));
  await Promise.all(clients.map((client) => client.dispose()));
  child.send({ type: 'stop' });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
