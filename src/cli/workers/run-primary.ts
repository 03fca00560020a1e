import cluster, { type Worker } from 'node:cluster';
import { StartupError } from '../../core/errors';
import type { CliIo } from '../cli-io';
import { serveClusterMetrics } from './cluster-metrics';
import { restartDelayMs, STABLE_UPTIME_MS } from './restart-delay';
import { isReadyMessage } from './worker-ready';

export interface PrimaryOptions {
  /** Worker processes to keep running. */
  workers: number;
  /** The config's shutdownTimeoutMs: each worker drains within it; the primary waits a little longer. */
  shutdownTimeoutMs: number;
  io: CliIo;
  /** Run after every worker has exited (the demo backends, which the primary owns). */
  stops: ReadonlyArray<() => Promise<void>>;
}

/** After the workers' own deadline, how long the primary waits before it kills what is left. */
const KILL_GRACE_MS = 5_000;

interface Slot {
  worker: Worker;
  startedAt: number;
  ready: boolean;
  /** Crashes in a row of this slot's workers (reset by one that stayed up STABLE_UPTIME_MS). */
  crashes: number;
}

/**
 * `loom serve --workers N`, primary process (node:cluster). Forks N workers
 * that each run `loom serve` and share the port; resolves once all are ready
 * (printing their banner once) and rejects with a StartupError if one exits
 * before it was ready (a bad config fails every worker alike: no restart loop).
 * Later a crashed worker is restarted after a backoff (restart-delay.ts).
 * SIGTERM/SIGINT go to every worker as SIGTERM (each drains, see serve-command),
 * the primary exits when all have: 0 if every one exited 0. A second signal is
 * forwarded too, and makes the workers exit at once.
 */
export function runPrimary({ workers, shutdownTimeoutMs, io, stops }: PrimaryOptions): Promise<void> {
  serveClusterMetrics();
  const slots = new Map<number, Slot>();
  let stopping = false;
  let started = false;
  const stoppedCodes: Array<number | null> = [];
  return new Promise<void>((resolve, reject) => {
    const fork = (index: number, crashes: number) => {
      const worker = cluster.fork({ LOOM_WORKER_INDEX: String(index) });
      slots.set(index, { worker, startedAt: Date.now(), ready: false, crashes });
      worker.on('message', (message: unknown) => {
        if (!isReadyMessage(message)) return;
        slots.get(index)!.ready = true;
        if (started) {
          io.out(`loom: worker ${index} (pid ${worker.process.pid}) ready again\n`);
          return;
        }
        if ([...slots.values()].every((slot) => slot.ready)) {
          started = true;
          for (const line of message.lines) io.out(line);
          io.out(
            `loom: ${workers} workers ready on ${message.url} (pids ${[...slots.values()].map((slot) => slot.worker.process.pid).join(', ')})\n`,
          );
          resolve();
        }
      });
      worker.on('exit', (code, signal) => {
        const slot = slots.get(index)!;
        if (stopping) {
          // A worker still starting had nothing to drain: the signal's default (exit) is a clean stop for it.
          stoppedCodes.push(slot.ready ? code : 0);
          return;
        }
        const how = signal ? `signal ${signal}` : `code ${code}`;
        if (!started && !slot.ready) {
          stopping = true;
          for (const other of slots.values()) if (other.worker !== worker) other.worker.process.kill('SIGKILL');
          reject(new StartupError(`worker ${index} exited (${how}) before it was ready; see its output above`));
          return;
        }
        const crashes = Date.now() - slot.startedAt >= STABLE_UPTIME_MS ? 1 : slot.crashes + 1;
        const delayMs = restartDelayMs(crashes);
        io.err(`loom: worker ${index} (pid ${worker.process.pid}) exited (${how}); restarting in ${delayMs} ms\n`);
        setTimeout(() => !stopping && fork(index, crashes), delayMs).unref();
      });
    };
    for (let index = 1; index <= workers; index++) fork(index, 0);
    stopOnSignals();
  });

  function stopOnSignals(): void {
    const shutdown = (signal: NodeJS.Signals) => {
      const live = [...slots.values()].filter((slot) => slot.worker.process.exitCode === null);
      if (stopping) {
        io.err(`loom: ${signal} again: workers exit without waiting\n`);
        for (const slot of live) slot.worker.process.kill('SIGTERM');
        return;
      }
      stopping = true;
      io.err(`loom: ${signal}: draining ${live.length} workers (up to ${shutdownTimeoutMs} ms)\n`);
      const exited = live.map((slot) =>
        slot.worker.process.exitCode !== null
          ? Promise.resolve()
          : new Promise<void>((done) => slot.worker.once('exit', () => done())),
      );
      for (const slot of live) slot.worker.process.kill('SIGTERM');
      const killer = setTimeout(() => {
        for (const slot of live) slot.worker.process.kill('SIGKILL');
      }, shutdownTimeoutMs + KILL_GRACE_MS);
      void Promise.all(exited).then(async () => {
        clearTimeout(killer);
        for (const stop of stops) await stop().catch(() => undefined);
        const clean = stoppedCodes.every((code) => code === 0);
        io.err(clean ? 'loom: stopped\n' : 'loom: stopped; a worker did not drain cleanly\n');
        process.exit(clean ? 0 : 1);
      });
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  }
}
