import { createCircuitBreaker, type CircuitBreaker, type CircuitState } from './circuit-breaker';
import type { CircuitBreakerOptions, OutlierDetectionOptions } from './upstream-policy-options';

export interface UpstreamEndpoint {
  /** Base URL (or gRPC address), as configured. */
  readonly url: string;
  /** True for the backup endpoint, which only serves when every primary is down. */
  readonly backup: boolean;
  readonly breaker: CircuitBreaker | undefined;
  /** Calls in flight (least-outstanding balancing). */
  outstanding: number;
  consecutiveFailures: number;
  /** Epoch ms until which the endpoint is ejected (passive health); 0 when healthy. */
  ejectedUntil: number;
}

export interface EndpointHealth {
  endpoint: string;
  backup: boolean;
  circuit: CircuitState | 'none';
  ejected: boolean;
  outstanding: number;
}

export interface EndpointPoolOptions {
  endpoints: readonly string[];
  backupEndpoint?: string;
  loadBalancing: 'round-robin' | 'least-outstanding';
  circuitBreaker?: Required<CircuitBreakerOptions>;
  outlierDetection?: Required<OutlierDetectionOptions>;
  now?: () => number;
  onCircuitStateChange?: (endpoint: string, state: CircuitState) => void;
  onEjection?: (endpoint: string) => void;
}

export interface EndpointPool {
  readonly endpoints: readonly UpstreamEndpoint[];
  /**
   * The endpoint for the next attempt, or undefined when every breaker is open
   * (fail fast, no call). Prefers endpoints not in `tried` (failover), healthy
   * primaries first, then the backup, then ejected primaries (better than nothing).
   */
  pick(tried?: ReadonlySet<UpstreamEndpoint>): UpstreamEndpoint | undefined;
  /** Marks a call as started on `endpoint` (outstanding count, half-open probe slot). */
  start(endpoint: UpstreamEndpoint): void;
  /** Records the outcome of a started call. */
  finish(endpoint: UpstreamEndpoint, failed: boolean): void;
  /** Ends a started call that says nothing about the endpoint (nothing was sent): no success, no failure. */
  release(endpoint: UpstreamEndpoint): void;
  health(): EndpointHealth[];
}

/**
 * Load balancing, passive health and failover over a source's endpoints.
 * Pure bookkeeping with an injected clock: the transport asks `pick`, calls
 * the endpoint and reports back with `start`/`finish`.
 */
export function createEndpointPool(options: EndpointPoolOptions): EndpointPool {
  const now = options.now ?? Date.now;
  const makeEndpoint = (url: string, backup: boolean): UpstreamEndpoint => ({
    url,
    backup,
    breaker:
      options.circuitBreaker &&
      createCircuitBreaker(options.circuitBreaker, {
        now,
        onStateChange: (state) => options.onCircuitStateChange?.(url, state),
      }),
    outstanding: 0,
    consecutiveFailures: 0,
    ejectedUntil: 0,
  });
  const primaries = options.endpoints.map((url) => makeEndpoint(url, false));
  const backup = options.backupEndpoint ? makeEndpoint(options.backupEndpoint, true) : undefined;
  const endpoints = backup ? [...primaries, backup] : primaries;
  let nextIndex = 0;

  const permitted = (endpoint: UpstreamEndpoint) => endpoint.breaker?.isCallPermitted() ?? true;
  const healthy = (endpoint: UpstreamEndpoint) => endpoint.ejectedUntil <= now() && permitted(endpoint);

  const choose = (candidates: UpstreamEndpoint[]): UpstreamEndpoint | undefined => {
    if (candidates.length === 0) return undefined;
    if (options.loadBalancing === 'least-outstanding') {
      // Ties go round-robin so idle endpoints share the load evenly.
      const fewest = Math.min(...candidates.map((endpoint) => endpoint.outstanding));
      candidates = candidates.filter((endpoint) => endpoint.outstanding === fewest);
    }
    const chosen = candidates[nextIndex % candidates.length];
    nextIndex = (nextIndex + 1) % 1_000_000;
    return chosen;
  };

  const usableBackup = (test: (endpoint: UpstreamEndpoint) => boolean) => (backup && test(backup) ? backup : undefined);

  return {
    endpoints,
    pick(tried = new Set()) {
      const untried = (endpoint: UpstreamEndpoint) => !tried.has(endpoint);
      return (
        // Failover: a healthy primary this call has not tried yet, else the backup.
        choose(primaries.filter((endpoint) => untried(endpoint) && healthy(endpoint))) ??
        usableBackup((endpoint) => untried(endpoint) && healthy(endpoint)) ??
        choose(primaries.filter(healthy)) ??
        usableBackup(healthy) ??
        // Every endpoint is ejected: one whose breaker still allows calls beats failing.
        choose(primaries.filter(permitted)) ??
        usableBackup(permitted)
      );
    },
    start(endpoint) {
      endpoint.outstanding += 1;
      endpoint.breaker?.onCallStarted();
    },
    finish(endpoint, failed) {
      endpoint.outstanding -= 1;
      if (!failed) {
        endpoint.consecutiveFailures = 0;
        endpoint.breaker?.onSuccess();
        return;
      }
      endpoint.breaker?.onFailure();
      endpoint.consecutiveFailures += 1;
      const outlier = options.outlierDetection;
      if (outlier && endpoint.consecutiveFailures >= outlier.consecutiveFailures && endpoint.ejectedUntil <= now()) {
        endpoint.ejectedUntil = now() + outlier.ejectionMs;
        endpoint.consecutiveFailures = 0;
        options.onEjection?.(endpoint.url);
      }
    },
    release(endpoint) {
      endpoint.outstanding -= 1;
      endpoint.breaker?.onCallReleased();
    },
    health: () =>
      endpoints.map((endpoint) => ({
        endpoint: endpoint.url,
        backup: endpoint.backup,
        circuit: endpoint.breaker?.state() ?? 'none',
        ejected: endpoint.ejectedUntil > now(),
        outstanding: endpoint.outstanding,
      })),
  };
}
