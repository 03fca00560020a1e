import type { ExecutionResult } from 'graphql';

/** One operation of a WebSocket connection, from its `subscribe` message until it ends in any way. */
export interface WebSocketOperation {
  readonly id: string;
  /** The operation as the BFF's Yoga app receives it: a JSON POST with the connection's headers. */
  readonly request: Request;
  /** Aborted when the operation must stop: the client completed it, the socket closed, or the server drains. */
  readonly controller: AbortController;
}

type Relay = AsyncIterableIterator<ExecutionResult> & {
  return(): Promise<IteratorResult<ExecutionResult>>;
  throw(error?: unknown): Promise<IteratorResult<ExecutionResult>>;
};

const DONE: IteratorResult<ExecutionResult> = { done: true, value: undefined };

/**
 * A subscription's results as graphql-ws reads them, ending when the stream
 * ends or the operation's signal aborts. Hand-written rather than an async
 * generator: a generator queues `return()` behind the pending `next()`, which
 * on a quiet stream would never settle, so the upstream stream and the
 * client's subscription slot would stay held. Here `return()` aborts (which
 * cancels the upstream call) and ends at once; a result that arrives after
 * that is dropped, and a failure caused by the abort ends the stream quietly.
 */
export function relayOperation(
  source: AsyncIterable<ExecutionResult>,
  operation: WebSocketOperation,
  onEnd: () => void,
): Relay {
  const iterator = source[Symbol.asyncIterator]();
  const { signal } = operation.controller;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (ended) return DONE;
      try {
        const step = await iterator.next();
        if (ended) return DONE;
        if (step.done) end();
        return step;
      } catch (error) {
        end();
        if (signal.aborted) return DONE;
        throw error;
      }
    },
    async return() {
      operation.controller.abort();
      end();
      // Not awaited: the source's own return() may wait for its pending next(), which the abort settles.
      void Promise.resolve(iterator.return?.()).catch(() => undefined);
      return DONE;
    },
    async throw(error?: unknown) {
      operation.controller.abort();
      end();
      void Promise.resolve(iterator.return?.()).catch(() => undefined);
      throw error;
    },
  };
}
