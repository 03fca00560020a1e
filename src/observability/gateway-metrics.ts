import type { Registry } from 'prom-client';
import { getOrCreateCounter, getOrCreateGauge, getOrCreateHistogram } from './get-or-create-metric';

/** Seconds; from a cached answer (~1 ms) to a slow upstream (10 s). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Per-BFF request metrics. `operation` is a bounded operation name, never a raw query. */
export function getRequestMetrics(registry: Registry) {
  return {
    requests: getOrCreateCounter(registry, {
      name: 'loom_requests_total',
      help: 'GraphQL requests served, by BFF, operation name and HTTP status',
      labelNames: ['bff', 'operation', 'status'],
    }),
    duration: getOrCreateHistogram(registry, {
      name: 'loom_request_duration_seconds',
      help: 'GraphQL request latency in seconds, by BFF and operation name',
      labelNames: ['bff', 'operation'],
      buckets: LATENCY_BUCKETS,
    }),
    errors: getOrCreateCounter(registry, {
      name: 'loom_request_errors_total',
      help: 'GraphQL errors returned to clients, by BFF, operation name and extensions.code',
      labelNames: ['bff', 'operation', 'code'],
    }),
    inFlight: getOrCreateGauge(registry, {
      name: 'loom_requests_in_flight',
      help: 'GraphQL requests being served, by BFF',
      labelNames: ['bff'],
    }),
  };
}

export type RequestMetrics = ReturnType<typeof getRequestMetrics>;

/** Per-source upstream call metrics; `status` is `ok`, the upstream HTTP status or the gRPC code. */
export function getUpstreamMetrics(registry: Registry) {
  return {
    calls: getOrCreateCounter(registry, {
      name: 'loom_upstream_requests_total',
      help: 'Calls to upstream sources, by source and status (ok, HTTP status or gRPC code)',
      labelNames: ['source', 'status'],
    }),
    duration: getOrCreateHistogram(registry, {
      name: 'loom_upstream_request_duration_seconds',
      help: 'Upstream call latency in seconds (retries included), by source',
      labelNames: ['source'],
      buckets: LATENCY_BUCKETS,
    }),
    errors: getOrCreateCounter(registry, {
      name: 'loom_upstream_errors_total',
      help: 'Failed upstream calls, by source and Loom error code',
      labelNames: ['source', 'code'],
    }),
  };
}

export type UpstreamMetrics = ReturnType<typeof getUpstreamMetrics>;
