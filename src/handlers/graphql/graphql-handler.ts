import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  getOperationAST,
  GraphQLError,
  Kind,
  print,
  type ExecutionResult,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import type { ExecutionRequest, Executor } from '@graphql-tools/utils';
import { ConfigError, upstreamBadResponse, upstreamHttpError } from '../../core/errors';
import type { HttpClient } from '../../upstream/create-http-client';
import { createSourceHttpClient } from '../create-source-http-client';
import { findBatchEndpoints } from '../find-batch-endpoints';
import { firstEndpoint } from '../spec-location';
import { forwardedHeaders } from '../forwarded-headers';
import type { HandlerContext, LoadedSource, SourceHandler } from '../types';
import type { GatewayContext } from '../../core/context';
import type { GraphqlSourceOptions } from './graphql-source-options';

interface GraphqlPost {
  (
    query: string,
    variables: Record<string, unknown> | undefined,
    operationName: string | undefined,
    context: GatewayContext | undefined,
  ): Promise<ExecutionResult>;
}

/** One POST to the remote endpoint; non-2xx and non-JSON answers become typed errors. */
function createGraphqlPost(source: GraphqlSourceOptions, client: HttpClient, url: string): GraphqlPost {
  const forward = source.forwardHeaders?.map((header) => header.toLowerCase()) ?? [];
  const staticHeaders = source.headers ?? {};
  return async (query, variables, operationName, context) => {
    const response = await client.fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...staticHeaders,
        ...forwardedHeaders(context, forward, source.propagateRequestId !== false),
      },
      body: JSON.stringify({ query, variables, operationName }),
    });
    const text = await response.text();
    let body: ExecutionResult | undefined;
    try {
      body = JSON.parse(text) as ExecutionResult;
    } catch {
      body = undefined;
    }
    // GraphQL-over-HTTP answers 4xx with a JSON body for request errors: keep those errors.
    if (body && typeof body === 'object' && ('data' in body || 'errors' in body)) return body;
    if (response.status < 200 || response.status > 299)
      throw upstreamHttpError(source.name, response.status, text.slice(0, 500));
    throw upstreamBadResponse(source.name, 'the answer is not a GraphQL JSON response', response.status);
  };
}

async function readSchema(source: GraphqlSourceOptions, configDir: string, post: GraphqlPost): Promise<GraphQLSchema> {
  if (source.sdl) {
    const file = resolve(configDir, source.sdl);
    try {
      return buildSchema(await readFile(file, 'utf8'));
    } catch (error) {
      throw new ConfigError(
        `source "${source.name}": cannot load SDL ${source.sdl}: ${(error as Error).message.split('\n')[0]}`,
      );
    }
  }
  let result: ExecutionResult;
  try {
    result = await post(getIntrospectionQuery(), undefined, 'IntrospectionQuery', undefined);
  } catch (error) {
    throw new ConfigError(
      `source "${source.name}": cannot introspect ${firstEndpoint(source.endpoint)}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (result.errors?.length || !result.data) {
    throw new ConfigError(
      `source "${source.name}": introspection failed: ${result.errors?.map((error) => error.message).join('; ') ?? 'no data'}`,
    );
  }
  return buildClientSchema(result.data as unknown as IntrospectionQuery);
}

// Delegation sends the same DocumentNode for every call of one plan: print each once.
const printed = new WeakMap<object, string>();
function printOnce(document: ExecutionRequest['document']): string {
  let text = printed.get(document);
  if (text === undefined) printed.set(document, (text = print(document)));
  return text;
}

/** Keeps the remote errors (message, path, extensions, code) and tags them with the source. */
function tagErrors(sourceName: string, result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  const errors = result.errors.map(
    (error) =>
      new GraphQLError(error.message, { path: error.path, extensions: { ...error.extensions, source: sourceName } }),
  );
  return { ...result, errors };
}

/**
 * A failed POST (HTTP error, unreadable answer, timeout, breaker) as a result:
 * every root field of the request is null with the typed error at its path,
 * so the client keeps the rest of its response, as with every other source.
 */
function failedResult(request: ExecutionRequest, error: unknown): ExecutionResult {
  if (!(error instanceof GraphQLError)) throw error;
  const operation = getOperationAST(request.document, request.operationName);
  const keys = (operation?.selectionSet.selections ?? []).flatMap((selection) =>
    selection.kind === Kind.FIELD ? [selection.alias?.value ?? selection.name.value] : [],
  );
  if (keys.length === 0) return { errors: [error] };
  return {
    data: Object.fromEntries(keys.map((key) => [key, null])),
    errors: keys.map((key) => new GraphQLError(error.message, { path: [key], extensions: error.extensions })),
  };
}

/**
 * A remote GraphQL endpoint as a source: its schema from an SDL file or by
 * introspection of `endpoint`, its executor a POST per call through the
 * shared HTTP client (pooling, timeouts, retries, breaker, headers).
 */
export const graphqlHandler: SourceHandler<GraphqlSourceOptions> = {
  kind: 'graphql',
  async load(source: GraphqlSourceOptions, context: HandlerContext): Promise<LoadedSource> {
    const url = firstEndpoint(source.endpoint);
    if (!url) throw new ConfigError(`source "${source.name}": kind "graphql" needs an endpoint`);
    const client = createSourceHttpClient(source, context);
    const post = createGraphqlPost(source, client, url);
    let schema: GraphQLSchema;
    try {
      schema = await readSchema(source, context.configDir, post);
    } catch (error) {
      await client.close();
      throw error;
    }
    const executor = (async (request: ExecutionRequest) => {
      try {
        return tagErrors(
          source.name,
          await post(
            printOnce(request.document),
            request.variables,
            request.operationName,
            request.context as GatewayContext | undefined,
          ),
        );
      } catch (error) {
        return failedResult(request, error);
      }
    }) as Executor;
    return {
      name: source.name,
      kind: 'graphql',
      schema,
      executor,
      batchEndpoints: findBatchEndpoints(schema),
      warnings: [],
      close: () => client.close(),
    };
  },
};
