import type { Plugin } from 'graphql-yoga';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable } from '@graphql-tools/utils';
import type { DirectSourceRouter } from '../compose/direct-source-router';

/**
 * Runs an operation that one source answers alone straight on that source's
 * executor (which carries the upstream policies and spans), skipping
 * stitching's per-request delegation. Only for BFFs that show the whole graph:
 * a trimmed view must keep checking every value against its own types. It
 * must come first: it sets the base execute function, and policies that wrap
 * execution (response cache, field scopes) wrap it in turn.
 */
/** Errors look as they do through delegation (path and extensions, no locations), whichever road a request took. */
function withDelegatedErrorShape(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  return {
    ...result,
    errors: result.errors.map(
      (error) => new GraphQLError(error.message, { path: error.path, extensions: error.extensions }),
    ),
  };
}

export function useDirectSourceExecution(router: DirectSourceRouter): Plugin {
  return {
    onExecute({ args, setExecuteFn }) {
      const source = router.route(args.document, args.operationName);
      if (!source) return;
      setExecuteFn(async (final) => {
        const result = await source.executor({
          document: final.document,
          variables: (final.variableValues ?? undefined) as Record<string, unknown> | undefined,
          operationName: final.operationName ?? undefined,
          context: final.contextValue,
          rootValue: final.rootValue,
        });
        return isAsyncIterable(result) ? result : withDelegatedErrorShape(result as ExecutionResult);
      });
    },
  };
}
