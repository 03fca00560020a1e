/** Open subscriptions per client, counted on this instance. */
export interface SubscriptionSlots {
  /** Takes a slot for `client`: its release (safe to call more than once), or undefined when the client holds every slot. */
  acquire(client: string): (() => void) | undefined;
  /** Slots `client` holds now. */
  held(client: string): number;
}

/**
 * In memory on purpose: a subscription is a connection to this instance, and
 * a count shared through Redis would outlive an instance that dies holding
 * slots. The map only holds clients with an open subscription.
 */
export function createSubscriptionSlots(maxPerClient: number): SubscriptionSlots {
  const open = new Map<string, number>();
  return {
    acquire(client) {
      const held = open.get(client) ?? 0;
      if (held >= maxPerClient) return undefined;
      open.set(client, held + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (open.get(client) ?? 1) - 1;
        if (left > 0) open.set(client, left);
        else open.delete(client);
      };
    },
    held: (client) => open.get(client) ?? 0,
  };
}

/**
 * The same stream, calling `release` once when it ends in any way: completed,
 * failed, or cancelled by the client (Yoga calls `return()` when an SSE
 * connection closes; a failing `next()` gets no `return()`).
 */
export function releaseWhenDone<T>(source: AsyncIterable<T>, release: () => void): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      try {
        const step = await iterator.next();
        if (step.done) release();
        return step;
      } catch (error) {
        release();
        throw error;
      }
    },
    async return(value?: unknown) {
      release();
      return (await iterator.return?.(value)) ?? { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      release();
      if (iterator.throw) return iterator.throw(error);
      throw error;
    },
  };
}
