import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** graphql-js words every variable coercion failure this way (`Variable "$limit" got invalid value ...`). */
const VARIABLE_ERROR = /^Variable "\$[_A-Za-z][_0-9A-Za-z]*" /;

function withCode(error: GraphQLError): GraphQLError {
  if (error.extensions?.code || error.path || !VARIABLE_ERROR.test(error.message)) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code: 'BAD_USER_INPUT', http: { ...error.extensions?.http, status: 400 } },
  });
}

/**
 * Variables that do not coerce fail the request before any field runs, as
 * errors without a code. Every other error a client sees has one, so these
 * get `BAD_USER_INPUT` (HTTP 400) too.
 */
export function useVariableErrorCodes(): Plugin {
  return {
    onExecute: () => ({
      onExecuteDone: ({ result, setResult }) => {
        const single = result as ExecutionResult;
        // Coercion failures come as a result with errors and no data at all.
        if (!single || Symbol.asyncIterator in single || single.data !== undefined || !single.errors?.length) return;
        setResult({ ...single, errors: single.errors.map(withCode) });
      },
    }),
  };
}
