import { context, propagation } from '@opentelemetry/api';

/**
 * Outgoing HTTP headers plus the W3C trace context (`traceparent`,
 * `tracestate`) of the active span, so the upstream continues the trace. A
 * no-op until a propagator is registered (setupTracing).
 */
export function injectTraceHeaders(headers: HeadersInit | undefined): Record<string, string> {
  const carrier: Record<string, string> = {};
  new Headers(headers).forEach((value, name) => {
    carrier[name] = value;
  });
  propagation.inject(context.active(), carrier);
  return carrier;
}
