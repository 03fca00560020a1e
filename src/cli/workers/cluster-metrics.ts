import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

const REQUEST = 'loom:metrics-request';
const REPLY = 'loom:metrics-reply';
/** Longer than prom-client's own 5 s wait for every worker's answer. */
const REPLY_TIMEOUT_MS = 10_000;

interface MetricsRequest {
  type: typeof REQUEST;
  id: number;
}
interface MetricsReply {
  type: typeof REPLY;
  id: number;
  text?: string;
  error?: string;
}

const isMessage = <T extends { type: string }>(message: unknown, type: T['type']): message is T =>
  !!message && typeof message === 'object' && (message as { type?: unknown }).type === type;

/**
 * Worker side of /metrics under `loom serve --workers`: this worker's registry
 * is what prom-client's AggregatorRegistry collects from it, and /metrics on
 * any worker asks the primary for the sum over all of them (so a scrape of the
 * one port sees the whole process group, whichever worker answers it).
 */
export function createWorkerMetrics(): { register(registry: Registry): void; metricsText(): Promise<string> } {
  const pending = new Map<number, { resolve(text: string): void; reject(error: Error): void }>();
  let nextId = 0;
  process.on('message', (message: unknown) => {
    if (!isMessage<MetricsReply>(message, REPLY)) return;
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.text !== undefined) waiting?.resolve(message.text);
    else waiting?.reject(new Error(`metrics from the workers: ${message.error ?? 'no answer'}`));
  });
  return {
    register: (registry) => {
      // Constructing one installs prom-client's answer to the primary's requests in this worker.
      new AggregatorRegistry();
      AggregatorRegistry.setRegistries([registry]);
    },
    metricsText: () =>
      new Promise<string>((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`metrics from the workers: no answer within ${REPLY_TIMEOUT_MS} ms`));
        }, REPLY_TIMEOUT_MS);
        pending.set(id, {
          resolve: (text) => (clearTimeout(timer), resolve(text)),
          reject: (error) => (clearTimeout(timer), reject(error)),
        });
        process.send?.({ type: REQUEST, id } satisfies MetricsRequest);
      }),
  };
}

/** Primary side: answers each worker's request with every live worker's metrics, summed by prom-client. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isMessage<MetricsRequest>(message, REQUEST)) return;
    aggregator.clusterMetrics().then(
      (text) => worker.isConnected() && worker.send({ type: REPLY, id: message.id, text } satisfies MetricsReply),
      (error: Error) =>
        worker.isConnected() &&
        worker.send({ type: REPLY, id: message.id, error: error.message } satisfies MetricsReply),
    );
  });
}
