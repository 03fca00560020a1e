import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { setupTracing, type Tracing } from '../../src/observability/setup-tracing';

export interface SpanCollector {
  readonly tracing: Tracing;
  spans(): ReadableSpan[];
  /** Resolves with the first finished span matching `predicate` (already finished or yet to come). */
  waitFor(predicate: (span: ReadableSpan) => boolean): Promise<ReadableSpan>;
  reset(): void;
  shutdown(): Promise<void>;
}

/** Process-wide tracing into memory, with a deferred per awaited span (no polling, no sleeps). */
export function startSpanCollector(sampleRatio = 1): SpanCollector {
  const exporter = new InMemorySpanExporter();
  const waiters: Array<{ predicate: (span: ReadableSpan) => boolean; resolve: (span: ReadableSpan) => void }> = [];
  const processor = new SimpleSpanProcessor(exporter);
  const onEnd = processor.onEnd.bind(processor);
  processor.onEnd = (span) => {
    onEnd(span);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(span)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(span);
      }
    }
  };
  const tracing = setupTracing({ sampleRatio, spanProcessors: [processor], env: {} });
  return {
    tracing,
    spans: () => exporter.getFinishedSpans(),
    waitFor: (predicate) => {
      const done = exporter.getFinishedSpans().find(predicate);
      if (done) return Promise.resolve(done);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    reset: () => exporter.reset(),
    shutdown: () => tracing.shutdown(),
  };
}

export const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
