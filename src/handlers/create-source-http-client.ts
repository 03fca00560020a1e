import { createHttpClient, type HttpClient } from '../upstream/create-http-client';
import type { UpstreamProtocol } from '../upstream/upstream-failure';
import type { BaseSourceOptions, HandlerContext, SourceKind } from './types';
import { createUpstreamCredentials } from '../upstream/credentials/create-upstream-credentials';

/** The protocol each HTTP source kind speaks: which 5xx answers are answers, not endpoint failures. */
const PROTOCOL_OF_KIND: Record<Exclude<SourceKind, 'grpc'>, UpstreamProtocol> = {
  openapi: 'rest',
  soap: 'soap',
  graphql: 'graphql',
};

/**
 * The HTTP transport of one source (REST, SOAP, GraphQL), configured from its
 * options: endpoints (balanced, with backup), per-call timeout, answer size limit, upstream
 * policies, and the gateway's metrics and logger.
 */
export function createSourceHttpClient(
  source: BaseSourceOptions & { kind: Exclude<SourceKind, 'grpc'> },
  context: HandlerContext,
  fallbackEndpoint?: string,
): HttpClient {
  return createHttpClient({
    source: source.name,
    protocol: PROTOCOL_OF_KIND[source.kind],
    timeoutMs: source.timeoutMs,
    maxResponseBytes: source.maxResponseBytes,
    endpoints: source.endpoint ?? fallbackEndpoint ?? [],
    upstream: source.upstream,
    metrics: context.metrics,
    logger: context.logger.child({ source: source.name }),
    credentials:
      source.credentials &&
      createUpstreamCredentials(source.credentials, {
        source: source.name,
        logger: context.logger,
        baseDir: context.configDir,
        redis: context.redis,
      }),
  });
}
