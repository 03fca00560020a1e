import { GraphQLError } from 'graphql';
import { isAsyncIterable, type ExecutionResult, type Executor } from '@graphql-tools/utils';
import { upstreamBadResponse } from '../../core/errors';

/**
 * Omnigraph reports an unreadable 2xx body as a plain error whose extensions
 * carry the upstream URL and body. Replace it with UPSTREAM_BAD_RESPONSE so
 * nothing about the upstream leaks and clients see one code.
 */
function mapError(source: string, error: GraphQLError): GraphQLError {
  if (error.extensions?.code) return error;
  const response = error.extensions?.response as { status?: number } | undefined;
  if (!response && !error.message.startsWith('Unexpected response')) return error;
  const typed = upstreamBadResponse(source, 'the body is not valid JSON', response?.status);
  return new GraphQLError(typed.message, { path: error.path, extensions: typed.extensions });
}

export function mapOpenApiErrors(source: string, executor: Executor): Executor {
  return async (request) => {
    const result = await executor(request);
    if (isAsyncIterable(result)) return result;
    const single = result as ExecutionResult;
    if (!single.errors?.length) return single;
    return { ...single, errors: single.errors.map((error) => mapError(source, error)) };
  };
}
