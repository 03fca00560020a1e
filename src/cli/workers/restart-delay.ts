/** A worker that stayed up this long was not crash-looping: its replacement starts over at the first delay. */
export const STABLE_UPTIME_MS = 10_000;
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 10_000;

/** Exponential backoff before restarting a crashed worker: 100 ms, 200 ms, 400 ms, ... up to 10 s. */
export function restartDelayMs(crashesInARow: number): number {
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, crashesInARow - 1));
}
