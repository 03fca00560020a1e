import type { Registry } from 'prom-client';
import { getOrCreateCounter, getOrCreateGauge } from '../observability/get-or-create-metric';

/** The resilience metrics of src/upstream, fetched from the gateway registry or created once. */
export function getResilienceMetrics(registry: Registry) {
  return {
    circuitState: getOrCreateGauge(registry, {
      name: 'loom_upstream_circuit_state',
      help: 'Circuit breaker state per upstream endpoint: 0 closed, 1 open, 2 half-open',
      labelNames: ['source', 'endpoint'] as const,
    }),
    retries: getOrCreateCounter(registry, {
      name: 'loom_upstream_retries_total',
      help: 'Upstream attempts repeated after a retryable failure, per source',
      labelNames: ['source'] as const,
    }),
    retriesDenied: getOrCreateCounter(registry, {
      name: 'loom_upstream_retry_budget_exhausted_total',
      help: 'Retries skipped because the retry budget was spent, per source',
      labelNames: ['source'] as const,
    }),
    ejections: getOrCreateCounter(registry, {
      name: 'loom_upstream_endpoint_ejections_total',
      help: 'Endpoints ejected after consecutive failures (passive health), per source and endpoint',
      labelNames: ['source', 'endpoint'] as const,
    }),
    shadowRequests: getOrCreateCounter(registry, {
      name: 'loom_upstream_shadow_requests_total',
      help: 'Calls mirrored to the shadow endpoint, per source and result (match, mismatch, error)',
      labelNames: ['source', 'result'] as const,
    }),
    shadowMismatches: getOrCreateCounter(registry, {
      name: 'loom_upstream_shadow_mismatches_total',
      help: 'Shadow answers whose status or body hash differed from the primary, per source',
      labelNames: ['source'] as const,
    }),
    fallbacks: getOrCreateCounter(registry, {
      name: 'loom_upstream_fallbacks_total',
      help: 'Root fields answered from a configured fallback because the source was down, per source and field',
      labelNames: ['source', 'field'] as const,
    }),
  };
}

export type ResilienceMetrics = ReturnType<typeof getResilienceMetrics>;

/** An endpoint as a metric label: no credentials, no query string. */
export function endpointLabel(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return url.replace(/^[^@/]*@/, '');
  }
}
