import { CallCounter } from '../../demo/call-counter';
import { startHttpBackend, sendJson, type RunningBackend } from '../../demo/http-backend';

/** A promise and the function that resolves it. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

export interface HeldItemsBackend {
  readonly backend: RunningBackend;
  /** GET /items/:id calls, as `getItem`. */
  readonly calls: CallCounter;
  /** Resolves when a held request has arrived. */
  readonly arrived: Promise<void>;
  /** Lets held requests answer. */
  release(): void;
}

/**
 * The items backend (test/fixtures/ratelimit/items/openapi.yaml), except that
 * GET /items/held answers only once the test calls `release` (every id with
 * `holdEvery`): a request in flight for drain and reload tests.
 */
export async function startHeldItemsBackend({
  holdEvery = false,
}: { holdEvery?: boolean } = {}): Promise<HeldItemsBackend> {
  const arrived = deferred();
  const release = deferred();
  const calls = new CallCounter();
  const backend = await startHttpBackend(
    async (_req, res, url) => {
      const id = /^\/items\/([^/]+)$/.exec(url.pathname)?.[1];
      if (!id) return sendJson(res, 404, { message: 'no route' });
      calls.record('getItem');
      if (holdEvery || id === 'held') {
        arrived.resolve();
        await release.promise;
      }
      sendJson(res, 200, { id, name: `Item ${id}` });
    },
    {},
    new CallCounter(),
    new Map(),
  );
  return { backend, calls, arrived: arrived.promise, release: () => release.resolve() };
}

export interface GatedItemsBackend {
  readonly backend: RunningBackend;
  /** GET /items/:id calls, as `getItem`. */
  readonly calls: CallCounter;
  /**
   * Holds every item request from now on until `release` (re-armable, one gate
   * at a time): `arrived` resolves when the first held request is in.
   */
  hold(): { arrived: Promise<void>; release(): void };
}

/** The items backend, with a gate a test closes and opens as often as it likes (ordering, never timing). */
export async function startGatedItemsBackend(): Promise<GatedItemsBackend> {
  const calls = new CallCounter();
  let gate: { arrived: ReturnType<typeof deferred<void>>; opened: ReturnType<typeof deferred<void>> } | undefined;
  const backend = await startHttpBackend(
    async (_req, res, url) => {
      const id = /^\/items\/([^/]+)$/.exec(url.pathname)?.[1];
      if (!id) return sendJson(res, 404, { message: 'no route' });
      calls.record('getItem');
      const current = gate;
      if (current) {
        current.arrived.resolve();
        await current.opened.promise;
      }
      sendJson(res, 200, { id, name: `Item ${decodeURIComponent(id)}` });
    },
    {},
    new CallCounter(),
    new Map(),
  );
  return {
    backend,
    calls,
    hold() {
      const current = { arrived: deferred(), opened: deferred() };
      gate = current;
      return {
        arrived: current.arrived.promise,
        release: () => {
          if (gate === current) gate = undefined;
          current.opened.resolve();
        },
      };
    },
  };
}
