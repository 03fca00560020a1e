import type { Plugin } from 'graphql-yoga';
import { createSubscriptionSlots, releaseWhenDone } from '../../../src/plugins/rate-limit/subscription-slots';
import { useSubscriptionLimit } from '../../../src/plugins/rate-limit/use-subscription-limit';

const _typed: Plugin = useSubscriptionLimit();

async function* events(count: number, failAfter?: number) {
  for (let index = 0; index < count; index++) {
    if (index === failAfter) throw new Error('upstream stream failed');
    yield index;
  }
}

describe('createSubscriptionSlots', () => {
  it('gives each client its own slots, up to the maximum, and takes each back once', () => {
    const slots = createSubscriptionSlots(2);
    const first = slots.acquire('ip:10.0.0.1');
    const second = slots.acquire('ip:10.0.0.1');
    expect(first && second).toBeDefined();
    expect(slots.acquire('ip:10.0.0.1')).toBeUndefined();
    expect(slots.acquire('jwt:alice')).toBeDefined();
    first!();
    first!();
    expect(slots.held('ip:10.0.0.1')).toBe(1);
    expect(slots.acquire('ip:10.0.0.1')).toBeDefined();
    expect(slots.acquire('ip:10.0.0.1')).toBeUndefined();
  });
});

describe('releaseWhenDone', () => {
  it('releases once when the stream completes', async () => {
    const release = jest.fn();
    const seen: number[] = [];
    for await (const value of releaseWhenDone(events(3), release)) seen.push(value);
    expect(seen).toEqual([0, 1, 2]);
    expect(release).toHaveBeenCalledTimes(1);
  });

  it('releases when the stream fails', async () => {
    const release = jest.fn();
    const stream = releaseWhenDone(events(3, 1), release);
    await expect(stream.next()).resolves.toEqual({ done: false, value: 0 });
    expect(release).not.toHaveBeenCalled();
    await expect(stream.next()).rejects.toThrow('upstream stream failed');
    expect(release).toHaveBeenCalledTimes(1);
  });

  it('releases and ends the source when the client goes away (return)', async () => {
    const release = jest.fn();
    const source = events(10);
    const stream = releaseWhenDone(source, release);
    await stream.next();
    await expect(stream.return!()).resolves.toEqual({ done: true, value: undefined });
    expect(release).toHaveBeenCalledTimes(1);
    await expect(source.next()).resolves.toEqual({ done: true, value: undefined });
  });
});

describe('useSubscriptionLimit options', () => {
  it.each([0, -1, 1.5, '10'])('refuses maxPerClient %j at start-up', (maxPerClient) => {
    expect(() => useSubscriptionLimit({ maxPerClient: maxPerClient as number })).toThrow(
      /^useSubscriptionLimit: maxPerClient must be a positive integer/,
    );
  });
});
