import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable } from '@graphql-tools/utils';
import type { Plugin } from 'graphql-yoga';

/** What one operation produced: a single result, or a stream of them (a subscription). */
export type OperationOutcome = ExecutionResult | AsyncIterable<ExecutionResult>;

/** Anything that answers a Fetch request the way a Yoga app does. */
export type OperationHandler = (
  request: Request,
  serverContext: Record<string, unknown>,
) => Response | Promise<Response>;

export interface OperationSink {
  /** Goes last in the app's plugin list: it takes the final result (after every policy) off the HTTP serializer. */
  readonly plugin: Plugin;
  /** Whether this sink started `request` (its result is handed over as values, streams included). */
  owns(request: Request): boolean;
  /**
   * Runs `request` through the whole app (every plugin hook, HTTP-level ones
   * included) and returns the operation's result as values instead of a
   * serialized body. Answers a plugin gave without a result (an IP filter's
   * 403) come back as a result with the answer's errors.
   */
  run(handle: OperationHandler, request: Request, serverContext: Record<string, unknown>): Promise<OperationOutcome>;
}

/** The body of an answer given without a result, as a result; a body that is not GraphQL JSON becomes one error naming the status. */
async function resultOfAnswer(response: Response): Promise<ExecutionResult> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { errors?: Array<{ message?: unknown; extensions?: Record<string, unknown> }> };
    if (Array.isArray(body.errors) && body.errors.length > 0)
      return {
        errors: body.errors.map(
          (error) => new GraphQLError(String(error.message ?? 'Request refused'), { extensions: error.extensions }),
        ),
      };
  } catch {
    // Not JSON: fall through to the status.
  }
  return { errors: [new GraphQLError(`Request refused with HTTP ${response.status}`)] };
}

/**
 * Hands operations from another transport (WebSocket) through a BFF's Yoga app
 * unchanged, so they meet exactly the policies an HTTP request meets: auth,
 * persisted-only, body and query limits, cost, rate limit, masking. Yoga picks
 * a result processor per Accept header; for requests this sink started, the
 * last processor set is one that keeps the result as values.
 */
export function createOperationSink(): OperationSink {
  const pending = new WeakMap<Request, (outcome: OperationOutcome) => void>();
  return {
    plugin: {
      onResultProcess({ request, setResultProcessor }) {
        const deliver = pending.get(request);
        if (!deliver) return;
        setResultProcessor((result, fetchAPI) => {
          deliver(result as OperationOutcome);
          return new fetchAPI.Response(null, { status: 204 });
        }, 'application/graphql-response+json');
      },
    },
    owns: (request) => pending.has(request),
    async run(handle, request, serverContext) {
      let outcome: OperationOutcome | undefined;
      pending.set(request, (result) => (outcome = result));
      const response = await handle(request, serverContext);
      if (outcome === undefined) return resultOfAnswer(response);
      // A stream's HTTP answer has no body to read; a single result's neither (204).
      return isAsyncIterable(outcome) ? outcome : (outcome as ExecutionResult);
    },
  };
}
