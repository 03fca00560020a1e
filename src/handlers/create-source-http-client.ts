import { createHttpClient, type HttpClient } from '../upstream/create-http-client';
import type { BaseSourceOptions, HandlerContext } from './types';

/**
 * The HTTP transport of one source (REST, SOAP, GraphQL), configured from its
 * options: endpoints (balanced, with backup), per-call timeout, answer size limit, upstream
 * policies, and the gateway's metrics and logger.
 */
export function createSourceHttpClient(source: BaseSourceOptions, context: HandlerContext, fallbackEndpoint?: string): HttpClient {
  return createHttpClient({
    source: source.name,
    timeoutMs: source.timeoutMs,
    maxResponseBytes: source.maxResponseBytes,
    endpoints: source.endpoint ?? fallbackEndpoint ?? [],
    upstream: source.upstream,
    metrics: context.metrics,
    logger: context.logger.child({ source: source.name }),
  });
}
