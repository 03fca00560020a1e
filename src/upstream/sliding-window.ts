/**
 * Two counters summed over a sliding time window, kept in a fixed ring of
 * buckets so recording and reading are O(buckets) with no per-call garbage.
 * Used by the circuit breaker (calls/failures) and the retry budget
 * (requests/retries). The clock is injected so tests never wait.
 */
export interface SlidingWindowTotals {
  /** First counter: calls (breaker) or requests (retry budget). */
  total: number;
  /** Second counter: failures (breaker) or retries (retry budget). */
  marked: number;
}

export interface SlidingWindow {
  add(total: number, marked: number): void;
  totals(): SlidingWindowTotals;
  reset(): void;
}

export function createSlidingWindow(windowMs: number, now: () => number, bucketCount = 10): SlidingWindow {
  const bucketMs = Math.max(1, Math.ceil(windowMs / bucketCount));
  const totals = new Array<number>(bucketCount).fill(0);
  const marked = new Array<number>(bucketCount).fill(0);
  // The bucket epoch (time / bucketMs) each slot last held; stale slots read as empty.
  const epochs = new Array<number>(bucketCount).fill(-Infinity);

  const slotFor = (epoch: number) => ((epoch % bucketCount) + bucketCount) % bucketCount;

  return {
    add(totalDelta, markedDelta) {
      const epoch = Math.floor(now() / bucketMs);
      const slot = slotFor(epoch);
      if (epochs[slot] !== epoch) {
        epochs[slot] = epoch;
        totals[slot] = 0;
        marked[slot] = 0;
      }
      totals[slot] += totalDelta;
      marked[slot] += markedDelta;
    },
    totals() {
      const current = Math.floor(now() / bucketMs);
      const sum = { total: 0, marked: 0 };
      for (let slot = 0; slot < bucketCount; slot++) {
        if (current - epochs[slot] >= bucketCount) continue;
        sum.total += totals[slot];
        sum.marked += marked[slot];
      }
      return sum;
    },
    reset() {
      epochs.fill(-Infinity);
    },
  };
}
