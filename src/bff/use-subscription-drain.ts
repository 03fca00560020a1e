import { isAsyncIterable } from '@graphql-tools/utils';
import type { Plugin } from 'graphql-yoga';

export interface SubscriptionDrainOptions {
  /** Aborted when the gateway starts draining (SIGTERM): every open subscription then completes. */
  signal: AbortSignal;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The same stream, ending as completed once `signal` aborts: a pending
 * `next()` resolves `done` at once (Yoga then sends the SSE `complete` event
 * and ends the answer) and the source is closed with `return()`, which ends
 * its upstream stream. Not an async generator: a generator parked in an
 * `await` cannot be returned, so a client that leaves during a silent stream
 * would leave the upstream stream open.
 */
export function completeOnAbort<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  let stop: (result: IteratorResult<T>) => void = () => undefined;
  const stopped = new Promise<IteratorResult<T>>((resolve) => (stop = resolve));
  const finish = async (value?: unknown): Promise<IteratorResult<T>> => {
    if (finished) return DONE;
    finished = true;
    signal.removeEventListener('abort', onAbort);
    stop(DONE);
    return (await iterator.return?.(value)) ?? DONE;
  };
  const onAbort = () => void finish().catch(() => undefined);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (finished) return DONE;
      const step = await Promise.race([iterator.next(), stopped]);
      if (step.done && !finished) {
        finished = true;
        signal.removeEventListener('abort', onAbort);
      }
      return step;
    },
    return: finish,
    async throw(error?: unknown) {
      await finish();
      throw error;
    },
  };
}

/**
 * Graceful shutdown for subscriptions: when the gateway drains, every open
 * subscription (SSE) completes with a final `complete` event instead of being
 * cut when `shutdownTimeoutMs` runs out, so clients see a clean end and
 * reconnect to another instance. Subscriptions that start while draining
 * complete at once.
 */
export function useSubscriptionDrain({ signal }: SubscriptionDrainOptions): Plugin {
  return {
    onSubscribe: () => ({
      onSubscribeResult({ result, setResult }) {
        if (isAsyncIterable(result)) setResult(completeOnAbort(result, signal));
      },
    }),
  };
}
