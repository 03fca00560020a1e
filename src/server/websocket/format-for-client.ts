import type { ExecutionResult, GraphQLError, GraphQLFormattedError } from 'graphql';

/**
 * An error as a client sees it over WebSocket: without the keys that only
 * steer Yoga's HTTP answer (`http`: status and headers; `unexpected`), the
 * same keys Yoga leaves out of an HTTP body.
 */
export function formatErrorForClient(error: GraphQLError): GraphQLFormattedError {
  const formatted = error.toJSON();
  if (!formatted.extensions) return formatted;
  const { http: _http, unexpected: _unexpected, ...extensions } = formatted.extensions;
  return Object.keys(extensions).length > 0
    ? { ...formatted, extensions }
    : { message: formatted.message, locations: formatted.locations, path: formatted.path };
}

/** A result as a client sees it over WebSocket (see formatErrorForClient); `http` leaves the result's extensions too. */
export function formatResultForClient(result: ExecutionResult): Record<string, unknown> {
  const { errors, extensions, ...rest } = result;
  const { http: _http, ...clientExtensions } = extensions ?? {};
  return {
    ...rest,
    ...(errors ? { errors: errors.map(formatErrorForClient) } : {}),
    ...(Object.keys(clientExtensions).length > 0 ? { extensions: clientExtensions } : {}),
  };
}
