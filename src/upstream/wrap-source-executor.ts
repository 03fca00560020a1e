import type { Executor } from '@graphql-tools/utils';
import type { SourceOptions } from '../config/types';
import type { HandlerContext, LoadedSource } from '../handlers/types';
import { instrumentExecutor } from '../observability/instrument-executor';

/**
 * The one place where executor-level upstream policies are composed around a
 * source's executor, outermost first:
 *   1. observability (span + metrics per upstream call)      — src/observability (#10)
 *   2. overall timeout, retries, circuit breaker, fallbacks  — src/upstream (#11)
 *   3. the handler's own executor (transport: HTTP, gRPC, SOAP)
 * Transport-level policies (endpoint pools, keep-alive, per-endpoint breakers,
 * shadowing) live in the transports' clients.
 */
export function wrapSourceExecutor(source: SourceOptions, loaded: LoadedSource, context: HandlerContext): Executor {
  const resilient = loaded.executor;
  return instrumentExecutor({ name: source.name, kind: source.kind }, resilient, context.metrics);
}
