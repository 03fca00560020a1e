import type { CircuitBreakerOptions } from './upstream-policy-options';
import { createSlidingWindow } from './sliding-window';

export type CircuitState = 'closed' | 'open' | 'half-open';

/** Gauge values of `loom_upstream_circuit_state`. */
export const CIRCUIT_STATE_VALUE: Record<CircuitState, number> = { closed: 0, open: 1, 'half-open': 2 };

export interface CircuitBreaker {
  /** Current state; an open breaker whose cool-down has passed reads as half-open. */
  state(): CircuitState;
  /** Whether a call may start now (closed, or a free half-open probe slot). Does not reserve anything. */
  isCallPermitted(): boolean;
  /** Reserves the slot for a call that is starting (a probe when half-open). */
  onCallStarted(): void;
  onSuccess(): void;
  onFailure(): void;
  /** A started call ended saying nothing about the endpoint (nothing was sent): frees its probe slot, records nothing. */
  onCallReleased(): void;
}

export interface CircuitBreakerHooks {
  now?: () => number;
  onStateChange?: (state: CircuitState) => void;
}

/**
 * Closed: outcomes go into a sliding window; once it holds `minimumCalls` and
 * the failure share reaches `failureRateThreshold`, the breaker opens. Open:
 * every call is refused until `coolDownMs` has passed. Half-open: up to
 * `halfOpenMaxCalls` probes go through; a success closes the breaker with an
 * empty window, a failure opens it for another cool-down.
 */
export function createCircuitBreaker(
  options: Required<CircuitBreakerOptions>,
  hooks: CircuitBreakerHooks = {},
): CircuitBreaker {
  const now = hooks.now ?? Date.now;
  const window = createSlidingWindow(options.windowMs, now);
  let current: CircuitState = 'closed';
  let openedAt = 0;
  let probesInFlight = 0;

  const moveTo = (next: CircuitState) => {
    if (next === current) return;
    current = next;
    if (next === 'open') openedAt = now();
    if (next !== 'closed') probesInFlight = 0;
    if (next === 'closed') window.reset();
    hooks.onStateChange?.(next);
  };

  // Evaluated after every outcome (as resilience4j does): the call that fills the window decides, success or not.
  const record = (failed: boolean) => {
    window.add(1, failed ? 1 : 0);
    const { total, marked } = window.totals();
    if (total >= options.minimumCalls && marked / total >= options.failureRateThreshold) moveTo('open');
  };

  const state = (): CircuitState => {
    if (current === 'open' && now() - openedAt >= options.coolDownMs) moveTo('half-open');
    return current;
  };

  return {
    state,
    isCallPermitted() {
      const at = state();
      return at === 'closed' || (at === 'half-open' && probesInFlight < options.halfOpenMaxCalls);
    },
    onCallStarted() {
      if (state() === 'half-open') probesInFlight += 1;
    },
    onSuccess() {
      if (current === 'half-open') return moveTo('closed');
      if (current === 'closed') record(false);
    },
    onFailure() {
      if (current === 'half-open') return moveTo('open');
      if (current === 'closed') record(true);
    },
    onCallReleased() {
      if (current === 'half-open' && probesInFlight > 0) probesInFlight -= 1;
    },
  };
}
