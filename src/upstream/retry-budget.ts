import { createSlidingWindow } from './sliding-window';

export interface RetryBudget {
  /** Counts one original (first-attempt) request. */
  recordRequest(): void;
  /** Takes one retry from the budget; false when the budget is spent (then do not retry). */
  tryAcquireRetry(): boolean;
}

export interface RetryBudgetOptions {
  /** Retries allowed as a share of the requests in the window. */
  budgetRatio: number;
  /** Retries always allowed per window. */
  budgetMinRetries: number;
  budgetWindowMs: number;
}

/**
 * Finagle-style retry budget: over a sliding window, retries may be at most
 * `budgetMinRetries + budgetRatio * requests`. When a backend is down every
 * request fails, so without a budget each one would turn into 1 + maxRetries
 * calls and multiply the load on a backend that is trying to recover.
 */
export function createRetryBudget(options: RetryBudgetOptions, now: () => number = Date.now): RetryBudget {
  const window = createSlidingWindow(options.budgetWindowMs, now);
  return {
    recordRequest: () => window.add(1, 0),
    tryAcquireRetry() {
      const { total: requests, marked: retries } = window.totals();
      if (retries + 1 > options.budgetMinRetries + options.budgetRatio * requests) return false;
      window.add(0, 1);
      return true;
    },
  };
}
