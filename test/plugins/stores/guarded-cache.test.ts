import type { Cache } from '@envelop/response-cache';
import type { ExecutionResult } from 'graphql';
import { createGuardedCache } from '../../../src/plugins/stores/create-response-cache-store';
import type { RedisHealth } from '../../../src/plugins/stores/redis-health';

/**
 * The guarded cache never fails a request. A store that answers at once (the
 * in-memory one) is answered at once, which lets response replay write a hit
 * in the same tick; a store that answers later (Redis) is awaited.
 */
describe('guarded response cache', () => {
  const result: ExecutionResult = { data: { hello: 'world' } };
  const health = () => {
    const seen: string[] = [];
    const probe: RedisHealth = {
      up: true,
      markUp: () => void seen.push('up'),
      markDown: (error) => void seen.push(`down: ${(error as Error).message}`),
      check: async () => true,
    };
    return { seen, probe };
  };
  const store = (get: Cache['get']): Cache => ({ get, set: () => undefined, invalidate: () => undefined });

  it('hands back a value a store returns at once as it is, not as a promise', () => {
    const { seen, probe } = health();
    const answer = createGuardedCache(
      store(() => result),
      probe,
    ).get('q1');
    expect(answer).toBe(result);
    expect(seen).toEqual(['up']);
  });

  it('awaits a store that answers later', async () => {
    const { seen, probe } = health();
    const answer = createGuardedCache(
      store(async () => result),
      probe,
    ).get('q1');
    expect(answer).toBeInstanceOf(Promise);
    expect(await answer).toBe(result);
    expect(seen).toEqual(['up']);
  });

  it('makes a miss of a read that throws at once or fails later, and reports it', async () => {
    const { seen, probe } = health();
    const throwing = createGuardedCache(
      store(() => {
        throw new Error('connection is closed');
      }),
      probe,
    );
    expect(throwing.get('q1')).toBeUndefined();
    const rejecting = createGuardedCache(
      store(() => Promise.reject(new Error('timed out'))),
      probe,
    );
    expect(await rejecting.get('q1')).toBeUndefined();
    expect(seen).toEqual(['down: connection is closed', 'down: timed out']);
  });
});
