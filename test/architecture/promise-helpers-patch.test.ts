import {
  fakePromise,
  fakeRejectPromise,
  handleMaybePromise,
  iterateAsync,
  mapMaybePromise,
  unfakePromise,
} from '@whatwg-node/promise-helpers';

/**
 * patches/@whatwg-node+promise-helpers: handleMaybePromise and the fake
 * promises as in promise-helpers 2.0 (which needs Node 22), and iterateAsync
 * as a loop while the callbacks answer synchronously. Yoga, envelop and
 * whatwg-node run every hook of every request through these; the behaviour
 * must stay the promise behaviour they were written against.
 */
describe('promise-helpers, patched', () => {
  it('is the patched copy: fake promises share one class', () => {
    expect(Object.getPrototypeOf(fakePromise(1)).constructor.name).toBe('FakePromise');
    expect(Object.getPrototypeOf(fakeRejectPromise(new Error('x'))).constructor.name).toBe('FakeRejectPromise');
  });

  describe('handleMaybePromise', () => {
    it('answers a synchronous input synchronously, passing one undefined argument to the input', () => {
      const seen: unknown[][] = [];
      const result = handleMaybePromise(
        (...args: unknown[]) => {
          seen.push(args);
          return 1;
        },
        (value) => value + 1,
      );
      expect(result).toBe(2);
      expect(seen).toEqual([[undefined]]);
    });

    it('routes a throwing input to the error handler, and throws it without one', () => {
      const boom = new Error('boom');
      const fail = (): number => {
        throw boom;
      };
      expect(
        handleMaybePromise(
          fail,
          () => 'ok',
          (error) => `handled ${(error as Error).message}`,
        ),
      ).toBe('handled boom');
      expect(() => handleMaybePromise(fail, () => 'ok')).toThrow(boom);
    });

    it('does not route a throwing success handler to the error handler (as Promise#then)', () => {
      const onError = jest.fn();
      expect(() =>
        handleMaybePromise(
          () => 1,
          () => {
            throw new Error('in success');
          },
          onError,
        ),
      ).toThrow('in success');
      expect(onError).not.toHaveBeenCalled();
    });

    it('answers a promise input with a promise, rejected inputs reaching the error handler', async () => {
      const resolved = handleMaybePromise(
        () => Promise.resolve(1),
        (value) => value + 1,
      );
      expect(resolved).toBeInstanceOf(Promise);
      await expect(resolved).resolves.toBe(2);
      await expect(
        handleMaybePromise(
          () => Promise.reject(new Error('late')),
          () => 'ok',
          (error) => `handled ${(error as Error).message}`,
        ),
      ).resolves.toBe('handled late');
    });

    it('unwraps a fake promise answered by a handler, and keeps a real one', async () => {
      expect(
        handleMaybePromise(
          () => 1,
          (value) => fakePromise(value + 1),
        ),
      ).toBe(2);
      const real = handleMaybePromise(
        () => 1,
        (value) => Promise.resolve(value + 1),
      );
      await expect(real).resolves.toBe(2);
      await expect(
        handleMaybePromise(
          () => fakeRejectPromise(new Error('fake rejection')),
          () => 'ok',
          (error) => (error as Error).message,
        ),
      ).toBe('fake rejection');
    });

    it('runs the finally handler once on every road', async () => {
      const order: string[] = [];
      const done = (label: string) => () => void order.push(label);
      expect(
        handleMaybePromise(
          () => 1,
          (value) => value,
          undefined,
          done('sync'),
        ),
      ).toBe(1);
      expect(() =>
        handleMaybePromise(
          () => {
            throw new Error('sync failure');
          },
          (value) => value,
          undefined,
          done('sync failure'),
        ),
      ).toThrow('sync failure');
      await handleMaybePromise(
        () => Promise.resolve(1),
        (value) => value,
        undefined,
        done('async'),
      );
      await expect(
        handleMaybePromise(
          () => Promise.reject(new Error('async failure')),
          (value) => value,
          undefined,
          done('async failure'),
        ),
      ).rejects.toThrow('async failure');
      expect(order).toEqual(['sync', 'sync failure', 'async', 'async failure']);
    });

    it('keeps mapMaybePromise (1.x API) working', async () => {
      expect(mapMaybePromise(1, (value) => value * 3)).toBe(3);
      await expect(mapMaybePromise(Promise.resolve(2), (value) => value * 3)).resolves.toBe(6);
    });
  });

  describe('fake promises', () => {
    it('look like promises and can be awaited', async () => {
      expect(Object.prototype.toString.call(fakePromise(1))).toBe('[object Promise]');
      expect(await fakePromise('value')).toBe('value');
      await expect(fakeRejectPromise(new Error('no')) as Promise<never>).rejects.toThrow('no');
      expect(unfakePromise(fakePromise('plain'))).toBe('plain');
      expect(() => unfakePromise(fakeRejectPromise(new Error('thrown')))).toThrow('thrown');
    });

    it('run then, catch and finally as a settled promise would, synchronously', () => {
      const steps: string[] = [];
      const value = unfakePromise(
        fakePromise(1)
          .then((n) => n + 1)
          .catch(() => -1)
          .finally(() => void steps.push('finally')),
      );
      expect(value).toBe(2);
      const recovered = unfakePromise(
        fakeRejectPromise(new Error('bad'))
          .then(() => 'skipped')
          .catch((error) => `caught ${(error as Error).message}`),
      );
      expect(recovered).toBe('caught bad');
      expect(steps).toEqual(['finally']);
    });
  });

  describe('iterateAsync', () => {
    it('runs synchronous callbacks in order in the same tick and collects truthy results', () => {
      const results: number[] = [];
      const indexes: number[] = [];
      const returned = iterateAsync(
        [1, 2, 0, 3],
        (value, _endEarly, index) => {
          indexes.push(index);
          return value * 10;
        },
        results,
      );
      expect(returned).toBeUndefined();
      expect(indexes).toEqual([0, 1, 2, 3]);
      expect(results).toEqual([10, 20, 30]);
    });

    it('stops after the step that ends early, keeping that step’s result', () => {
      const results: number[] = [];
      const called: number[] = [];
      iterateAsync(
        [1, 2, 3],
        (value, endEarly) => {
          called.push(value);
          if (value === 2) endEarly();
          return value;
        },
        results,
      );
      expect(called).toEqual([1, 2]);
      expect(results).toEqual([1, 2]);
    });

    it('waits for a promise and goes on in order after it, ending early from an async step', async () => {
      const results: number[] = [];
      const called: number[] = [];
      const returned = iterateAsync(
        [1, 2, 3, 4, 5],
        async (value, endEarly) => {
          called.push(value);
          await new Promise((resolve) => setImmediate(resolve));
          if (value === 4) endEarly();
          return value;
        },
        results,
      );
      expect(called).toEqual([1]);
      await returned;
      expect(called).toEqual([1, 2, 3, 4]);
      expect(results).toEqual([1, 2, 3, 4]);

      const mixed: number[] = [];
      await iterateAsync([1, 2, 3], (value) => (value === 2 ? Promise.resolve(value) : value), mixed);
      expect(mixed).toEqual([1, 2, 3]);
    });

    it('throws a synchronous failure and rejects with an asynchronous one, running no later step', async () => {
      const called: number[] = [];
      expect(() =>
        iterateAsync([1, 2, 3], (value) => {
          called.push(value);
          if (value === 2) throw new Error('step 2');
        }),
      ).toThrow('step 2');
      expect(called).toEqual([1, 2]);
      called.length = 0;
      await expect(
        iterateAsync([1, 2, 3], (value) => {
          called.push(value);
          return value === 1 ? Promise.reject(new Error('step 1')) : undefined;
        }),
      ).rejects.toThrow('step 1');
      expect(called).toEqual([1]);
    });

    it('takes any iterable, and an empty one answers undefined', () => {
      const seen: string[] = [];
      iterateAsync(new Set(['a', 'b']), (value) => void seen.push(value));
      expect(seen).toEqual(['a', 'b']);
      expect(iterateAsync([], () => 1)).toBeUndefined();
    });

    it('goes through 100,000 synchronous steps without growing the stack', () => {
      const many = Array.from({ length: 100_000 }, (_, index) => index);
      let sum = 0;
      iterateAsync(many, (value) => {
        sum += value;
      });
      expect(sum).toBe((100_000 * 99_999) / 2);
    });
  });
});
