import type { Registry } from 'prom-client';
import type { Plugin } from 'graphql-yoga';
import { createBoundedLabel } from './bounded-label';
import { labelledChildren } from './labelled-children';
import { getRequestMetrics } from './gateway-metrics';
import { getRequestRecord } from './request-record';

export interface RequestMetricsOptions {
  bffName: string;
  /** The gateway's registry (shared by every BFF). */
  registry: Registry;
  /** Distinct operation names kept as labels; later ones are counted as `other`. @default 50 */
  maxOperationNames?: number;
  /** Distinct error codes kept as labels; later ones are counted as `other`. @default 50 */
  maxErrorCodes?: number;
}

/**
 * Request count, latency and errors per BFF and operation name. Operation
 * names come from the parsed document (never the raw query) and are capped
 * per BFF so a client cannot blow up the label set.
 */
export function useRequestMetrics({
  bffName,
  registry,
  maxOperationNames = 50,
  maxErrorCodes = 50,
}: RequestMetricsOptions): Plugin {
  const metrics = getRequestMetrics(registry);
  const operationLabel = createBoundedLabel(maxOperationNames);
  const codeLabel = createBoundedLabel(maxErrorCodes);
  const inFlight = metrics.inFlight.labels({ bff: bffName });
  const requests = labelledChildren((operation, status) => metrics.requests.labels(bffName, operation, status));
  const duration = labelledChildren((operation) => metrics.duration.labels(bffName, operation));
  const tracked = new WeakSet<Request>();
  return {
    onRequest({ request }) {
      tracked.add(request);
      inFlight.inc();
    },
    onResponse({ request }) {
      if (tracked.delete(request)) inFlight.dec();
      const record = getRequestRecord(request);
      if (!record?.graphql) return;
      const operation = operationLabel(record.operationName ?? 'unknown');
      record.operationLabel = operation;
      requests(operation, String(record.status ?? 0)).inc();
      duration(operation).observe((record.durationMs ?? 0) / 1000);
      for (const code of record.errorCodes) metrics.errors.inc({ bff: bffName, operation, code: codeLabel(code) });
    },
  };
}
