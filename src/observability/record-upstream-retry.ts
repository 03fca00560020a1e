import { trace, type Attributes } from '@opentelemetry/api';

/**
 * Adds a `retry` event to the active upstream call span (instrumentExecutor
 * makes it active for everything below it). Retry policies call this next to
 * their retry metric; a no-op when nothing is traced.
 */
export function recordUpstreamRetry(attributes: Attributes = {}): void {
  trace.getActiveSpan()?.addEvent('retry', attributes);
}
