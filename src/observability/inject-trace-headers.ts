import { context, propagation, trace } from '@opentelemetry/api';

/**
 * Outgoing HTTP headers plus the W3C trace context (`traceparent`,
 * `tracestate`, `baggage`) of the active span, so the upstream continues the
 * trace. Returns the headers untouched when there is nothing to propagate
 * (no span, no baggage) and is a no-op until a propagator is registered
 * (setupTracing).
 */
export function injectTraceHeaders(headers: HeadersInit | undefined): HeadersInit | undefined {
  const active = context.active();
  if (!trace.getSpanContext(active) && !propagation.getBaggage(active)) return headers;
  const carrier: Record<string, string> = {};
  new Headers(headers).forEach((value, name) => {
    carrier[name] = value;
  });
  propagation.inject(active, carrier);
  return carrier;
}
