import { openApiHandler } from './openapi/openapi-handler';
import { grpcHandler } from './grpc/grpc-handler';
import { soapHandler } from './soap/soap-handler';
import { graphqlHandler } from './graphql/graphql-handler';
import { wrapSourceExecutor } from '../upstream/wrap-source-executor';
import type { SourceOptions } from './source-options';
import type { HandlerContext, LoadedSource, SourceKind } from './types';

/** Every handler, keyed by kind; the compiler checks the map is complete. */
const handlers = {
  openapi: openApiHandler,
  grpc: grpcHandler,
  soap: soapHandler,
  graphql: graphqlHandler,
} satisfies Record<SourceKind, unknown>;

function loadWithHandler(source: SourceOptions, context: HandlerContext): Promise<LoadedSource> {
  switch (source.kind) {
    case 'openapi':
      return handlers.openapi.load(source, context);
    case 'grpc':
      return handlers.grpc.load(source, context);
    case 'soap':
      return handlers.soap.load(source, context);
    case 'graphql':
      return handlers.graphql.load(source, context);
  }
}

/** Loads a source with its handler and wraps its executor in the upstream policies. */
export async function loadSource(source: SourceOptions, context: HandlerContext): Promise<LoadedSource> {
  const loaded = await loadWithHandler(source, context);
  return { ...loaded, executor: wrapSourceExecutor(source, loaded.executor, context) };
}
