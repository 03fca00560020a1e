import { createDefaultExecutor } from '@graphql-tools/delegate';
import { badUserInput, ConfigError, upstreamHttpError } from '../../core/errors';
import { createSourceHttpClient } from '../create-source-http-client';
import { createMeshLogger } from './mesh-logger';
import { encodePathArguments } from './encode-path-arguments';
import { findBatchEndpoints } from '../find-batch-endpoints';
import { mapOpenApiErrors } from './map-openapi-errors';
import { withoutMeshInternals } from './without-mesh-internals';
import { forwardedHeaders, isValidHeaderValue } from '../forwarded-headers';
import { loadOpenApiSchema } from './load-openapi-schema';
import { firstEndpoint } from '../spec-location';
import type { HandlerContext, LoadedSource, SourceHandler } from '../types';
import type { GatewayContext } from '../../core/context';
import type { OpenApiSourceOptions } from './openapi-source-options';

async function readErrorDetail(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text.length > 500 ? `${text.slice(0, 500)}…` : text;
  }
}

export const openApiHandler: SourceHandler<OpenApiSourceOptions> = {
  kind: 'openapi',
  async load(source: OpenApiSourceOptions, context: HandlerContext): Promise<LoadedSource> {
    // The client balances calls over every endpoint (and the backup): omnigraph builds URLs on the first one.
    const client = createSourceHttpClient(source, context);
    const forward = source.forwardHeaders?.map((header) => header.toLowerCase()) ?? [];
    const staticHeaders = source.headers ?? {};
    // Omnigraph calls fetch(url, init, context, info); we add headers, then
    // turn non-2xx answers into typed errors (its own ones leak upstream URLs).
    const fetchForOmnigraph = async (url: string, init: RequestInit = {}, requestContext?: GatewayContext) => {
      const operationHeaders = (init.headers ?? {}) as Record<string, string>;
      // Header parameters come from arguments: a value no request may carry is the caller's error, not the endpoint's.
      for (const [name, value] of Object.entries(operationHeaders)) {
        if (typeof value === 'string' && !isValidHeaderValue(value))
          throw badUserInput(`Header "${name}" cannot be sent: its value contains a control character`, {
            header: name,
          });
      }
      const headers = {
        ...operationHeaders,
        ...staticHeaders,
        ...forwardedHeaders(requestContext, forward, source.propagateRequestId !== false),
      };
      const response = await client.fetch(url, { ...init, headers });
      if (response.status < 200 || response.status > 299) {
        throw upstreamHttpError(source.name, response.status, await readErrorDetail(response));
      }
      return response;
    };
    let schema;
    let warnings;
    try {
      const loaded = await loadOpenApiSchema({
        source,
        endpoint: firstEndpoint(source.endpoint),
        fetch: fetchForOmnigraph as unknown as typeof fetch,
        meshLogger: createMeshLogger(context.logger.child({ source: source.name })),
        logger: context.logger,
        cache: context.schemaCache,
      });
      schema = encodePathArguments(loaded.schema);
      warnings = loaded.warnings;
    } catch (error) {
      await client.close();
      const reason = ((error as Error).message ?? String(error)).split('\n')[0];
      throw new ConfigError(`source "${source.name}": cannot load OpenAPI spec ${source.spec}: ${reason}`);
    }
    const executor = mapOpenApiErrors(source.name, createDefaultExecutor(schema));
    return {
      name: source.name,
      kind: 'openapi',
      // Clients see the schema without Mesh's directives; the executor runs the original.
      schema: withoutMeshInternals(schema),
      executor,
      // REST batch endpoints: a GET whose query parameter is an array of the entity key (`/customers?ids=1,2`).
      batchEndpoints: findBatchEndpoints(schema),
      warnings,
      close: () => client.close(),
    };
  },
};
