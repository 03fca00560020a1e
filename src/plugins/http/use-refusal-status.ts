import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Yoga's mark on a status the GraphQL-over-HTTP spec lets `application/json` answers turn into 200. */
function hasSpecStatus(error: unknown): error is GraphQLError {
  return error instanceof GraphQLError && Boolean((error.extensions?.http as { spec?: boolean } | undefined)?.spec);
}

function withoutSpecMark(error: GraphQLError): GraphQLError {
  const { spec: _spec, ...http } = error.extensions.http as NonNullable<GraphQLError['extensions']['http']> & {
    spec?: boolean;
  };
  // A copy: Yoga caches validation results, and the same error objects answer the next request.
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, http },
  });
}

function unmarkResult(result: ExecutionResult): ExecutionResult {
  if (!result?.errors?.some(hasSpecStatus)) return result;
  return { ...result, errors: result.errors.map((error) => (hasSpecStatus(error) ? withoutSpecMark(error) : error)) };
}

/**
 * Parse and validation refusals (and Yoga's own request errors: invalid JSON,
 * mutation over GET) answer their 4xx status whatever the client accepts.
 * Yoga downgrades them to 200 when the client accepts only
 * `application/json`, as the GraphQL-over-HTTP spec allows for that legacy
 * type; Loom promises one status per refusal, which proxies, metrics and
 * clients can rely on, so it drops Yoga's `http.spec` mark before the result
 * is serialized.
 */
export function useRefusalStatus(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) setResult(result.map((item: ExecutionResult) => unmarkResult(item)));
      else if (result && typeof result === 'object' && 'errors' in result)
        setResult(unmarkResult(result as ExecutionResult));
    },
  };
}
