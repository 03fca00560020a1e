import { context, trace, type Attributes, type Span } from '@opentelemetry/api';
import { isPromiseLike } from '../core/is-promise-like';
import { getTracer, recordFailure, tracingOff } from './tracing-constants';

/**
 * Runs `wrapped` inside a new child span of the active one, made active for
 * everything `wrapped` starts (sync or async); ends the span when it settles.
 */
export function runInSpan<T>(name: string, wrapped: () => T, attributes?: Attributes): T {
  if (tracingOff()) return wrapped();
  const span: Span = getTracer().startSpan(name, { attributes });
  const fail = (error: unknown) => {
    recordFailure(span, error);
    span.end();
    throw error;
  };
  // Nothing recorded (no exporter, or not sampled): no context switch, no promise to follow.
  if (!span.isRecording()) return wrapped();
  let result: T;
  try {
    result = context.with(trace.setSpan(context.active(), span), wrapped);
  } catch (error) {
    return fail(error);
  }
  if (isPromiseLike(result)) {
    return Promise.resolve(result).then((value) => {
      span.end();
      return value;
    }, fail) as T;
  }
  span.end();
  return result;
}
