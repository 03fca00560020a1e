import type { ExecutionResult } from 'graphql';

/**
 * The same subscription stream, with `charge` run for each event before it is
 * delivered. When `charge` answers with a result (a refusal), that result is
 * delivered instead of the event and the stream ends: the source is returned,
 * which cancels the upstream stream (a gRPC call, a live query).
 */
export function chargeEachEvent(
  source: AsyncIterable<ExecutionResult>,
  charge: () => Promise<ExecutionResult | undefined>,
): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  let ended = false;
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (ended) return { done: true, value: undefined };
      const step = await iterator.next();
      if (step.done) {
        ended = true;
        return step;
      }
      const refusal = await charge();
      if (!refusal) return step;
      ended = true;
      await iterator.return?.();
      return { done: false, value: refusal };
    },
    async return(value?: unknown) {
      ended = true;
      return (await iterator.return?.(value)) ?? { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      ended = true;
      if (iterator.throw) return iterator.throw(error);
      throw error;
    },
  };
}
