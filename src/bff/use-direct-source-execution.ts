import type { Plugin } from 'graphql-yoga';
import { GraphQLError, type DocumentNode, type ExecutionResult } from 'graphql';
import { isAsyncIterable } from '@graphql-tools/utils';
import type { DirectSourceRouter } from '../compose/direct-source-router';
import { resolveDirectLinks } from '../compose/resolve-direct-links';

/**
 * Runs an operation that one source answers alone straight on that source's
 * executor (which carries the upstream policies and spans), skipping
 * stitching's per-request delegation. Only for BFFs that show the whole graph:
 * a trimmed view must keep checking every value against its own types. It
 * must come first: it sets the base execute function, and policies that wrap
 * execution (response cache, field scopes) wrap it in turn.
 */
/**
 * Errors look as they do through delegation (path and extensions, no
 * locations), whichever road a request took. An unexpected error (its cause
 * is not a GraphQLError: a non-null violation, a resolver's TypeError) is
 * kept whole, so Yoga masks it in production as it does on the other road.
 */
function withDelegatedErrorShape(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  const { errors, ...rest } = result;
  return {
    errors: errors.map((error) =>
      error.originalError && !(error.originalError instanceof GraphQLError)
        ? error
        : new GraphQLError(error.message, { path: error.path, extensions: error.extensions }),
    ),
    ...rest,
  };
}

export function useDirectSourceExecution(router: DirectSourceRouter): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      if (!router.route(args.document, args.operationName)) return;
      setExecuteFn(async (final) => {
        // Planned on the document the policies leave (the same one, unless a plugin replaced it).
        const route = router.route(final.document, final.operationName);
        if (!route) return executeFn(final);
        const run = (document: DocumentNode, variables: Record<string, unknown> | undefined) =>
          route.source.executor({
            document,
            variables,
            operationName: final.operationName ?? undefined,
            context: final.contextValue,
            rootValue: final.rootValue,
          });
        const result = await run(route.document, (final.variableValues ?? undefined) as Record<string, unknown>);
        if (isAsyncIterable(result)) return result;
        const linked =
          route.links.length > 0
            ? await resolveDirectLinks(result as ExecutionResult, route.links, (document, variables) =>
                Promise.resolve(run(document, variables)).then((batch) =>
                  isAsyncIterable(batch) ? { errors: [new GraphQLError('a batch call answered a stream')] } : batch,
                ),
              )
            : (result as ExecutionResult);
        return withDelegatedErrorShape(linked);
      });
    },
  };
}
