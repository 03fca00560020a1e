/**
 * Exponential backoff with full jitter (AWS architecture blog): a random delay
 * in [0, min(maxDelayMs, baseDelayMs * 2^retryIndex)). Full jitter spreads
 * retries of many clients so they do not hit a recovering backend in waves.
 * `random` is injectable so tests get exact values.
 */
export function backoffDelayMs(
  retryIndex: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** retryIndex);
  return Math.floor(random() * ceiling);
}

/** Sleeps for the backoff; injectable (tests pass one that resolves at once). */
export type Sleep = (delayMs: number, signal?: AbortSignal) => Promise<void>;

/** A real timer sleep that ends early (resolves) when `signal` aborts, so close() and deadlines never wait. */
export const timerSleep: Sleep = (delayMs, signal) =>
  new Promise<void>((resolve) => {
    if (delayMs <= 0 || signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, delayMs);
    signal?.addEventListener('abort', done, { once: true });
  });
