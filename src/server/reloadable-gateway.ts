import type { Registry } from 'prom-client';
import { getOrCreateCounter, getOrCreateGauge } from '../observability/get-or-create-metric';
import type { Logger } from '../core/logger';
import type { Gateway, PinnedGateway } from './create-gateway';
import type { ReloadStatus } from './gateway-parts';

export type { ReloadStatus };

/** A gateway that can be rebuilt from its files while it serves. */
export interface ReloadableGateway extends Gateway {
  /**
   * Builds a new generation beside the serving one and swaps it in when it is
   * ready; a failed build leaves the serving one alone. Calls while a reload
   * runs are folded into one more reload after it. Never rejects. `cause`
   * (the file that changed, SIGHUP) goes into the log lines.
   */
  reload(cause?: string): Promise<ReloadStatus>;
  reloadStatus(): ReloadStatus;
}

export interface ReloadableGatewayOptions {
  /** Builds a generation from the files as they are now (config, specs, BFF files). */
  build(): Promise<Gateway>;
  /** The first generation, already built. */
  initial: Gateway;
  logger: Logger;
  /** The registry every generation shares, where the reload metrics go. */
  metrics: Registry;
  /**
   * Longest a replaced generation waits for its requests (and subscriptions)
   * before it is closed anyway. @default 25000
   */
  retireTimeoutMs?: number;
}

interface Generation {
  readonly gateway: Gateway;
  readonly number: number;
  inFlight: number;
  retiring?: { done(): void };
}

/** The same response, with `done` called once its body has been read to the end, failed or been cancelled. */
function releasedAtEnd(response: Response, done: () => void): Response {
  if (!response.body) {
    done();
    return response;
  }
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: ended, value } = await reader.read();
        if (ended) {
          done();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        done();
        controller.error(error);
      }
    },
    cancel(reason) {
      done();
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

function createReloadMetrics(metrics: Registry) {
  const reloads = getOrCreateCounter(metrics, {
    name: 'loom_reloads_total',
    help: 'Reloads of the config, specs and BFF files, by result (ok: swapped in; error: the old graph kept serving)',
    labelNames: ['result'],
  });
  const generation = getOrCreateGauge(metrics, {
    name: 'loom_generation',
    help: 'Generation of the graph being served (1 at start, +1 per successful reload)',
  });
  const lastFailed = getOrCreateGauge(metrics, {
    name: 'loom_last_reload_failed',
    help: '1 when the last reload failed (the previous generation is still serving), else 0',
  });
  return {
    served(number: number) {
      generation.set(number);
      lastFailed.set(0);
      if (number > 1) reloads.inc({ result: 'ok' });
    },
    failed() {
      reloads.inc({ result: 'error' });
      lastFailed.set(1);
    },
  };
}

/** One line for a log or /readyz: a ConfigError's lines joined. */
const oneLine = (error: unknown) => String((error as Error)?.message ?? error).replace(/\s*\n\s*/g, '; ');

/**
 * Serves the current generation; a reload builds the next one beside it and
 * swaps it in atomically (one assignment). A request is pinned to the
 * generation it started on: it finishes there, and a replaced generation is
 * closed once its last request (or subscription) ends, or after
 * `retireTimeoutMs`.
 */
export function createReloadableGateway(options: ReloadableGatewayOptions): ReloadableGateway {
  const { build, logger, metrics, retireTimeoutMs = 25_000 } = options;
  const reloadMetrics = createReloadMetrics(metrics);
  let current: Generation = { gateway: options.initial, number: 1, inFlight: 0 };
  reloadMetrics.served(1);
  const retiring = new Set<Generation>();
  let status: ReloadStatus = { generation: 1, reloading: false };
  let draining = false;
  let running: Promise<ReloadStatus> | undefined;
  let again = false;

  const release = (generation: Generation) => {
    generation.inFlight--;
    if (generation.inFlight === 0) generation.retiring?.done();
  };

  const retire = (generation: Generation) => {
    retiring.add(generation);
    const closed = new Promise<void>((done) => {
      const timer = setTimeout(done, retireTimeoutMs);
      timer.unref();
      generation.retiring = {
        done: () => {
          clearTimeout(timer);
          done();
        },
      };
      if (generation.inFlight === 0) generation.retiring.done();
    });
    void closed.then(async () => {
      await generation.gateway.close().catch(() => undefined);
      retiring.delete(generation);
      logger.info(
        { generation: generation.number, unfinished: generation.inFlight },
        'reload: previous generation closed',
      );
    });
  };

  let causes: string[] = [];
  const reloadOnce = async (): Promise<ReloadStatus> => {
    const cause = [...new Set(causes)].join(', ');
    causes = [];
    const started = Date.now();
    status = { ...status, reloading: true };
    try {
      const gateway = await build();
      if (draining) {
        await gateway.close();
        return status;
      }
      const previous = current;
      current = { gateway, number: previous.number + 1, inFlight: 0 };
      retire(previous);
      status = {
        generation: current.number,
        reloading: false,
        lastReloadAt: new Date().toISOString(),
        lastReloadOk: true,
      };
      reloadMetrics.served(current.number);
      logger.info(
        { generation: current.number, durationMs: Date.now() - started, cause },
        'reload: new generation serving',
      );
    } catch (error) {
      const message = oneLine(error);
      status = {
        generation: current.number,
        reloading: false,
        lastReloadAt: new Date().toISOString(),
        lastReloadOk: false,
        lastReloadError: message,
      };
      reloadMetrics.failed();
      logger.error(
        { generation: current.number, cause },
        `reload failed${cause ? ` (${cause})` : ''}, generation ${current.number} keeps serving: ${message}`,
      );
    }
    return status;
  };

  const reload = (cause?: string): Promise<ReloadStatus> => {
    if (draining) return Promise.resolve(status);
    if (cause) causes.push(cause);
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let result = await reloadOnce();
      while (again && !draining) {
        again = false;
        result = await reloadOnce();
      }
      running = undefined;
      return result;
    })();
    return running;
  };

  const pin = (): PinnedGateway => {
    const generation = current;
    generation.inFlight++;
    let released = false;
    return {
      gateway: generation.gateway,
      release: () => {
        if (released) return;
        released = true;
        release(generation);
      },
    };
  };

  /** In-process requests: the generation is held until the body is read to its end (or cancelled). */
  const pinnedFetch = async (request: Request, admin: boolean): Promise<Response> => {
    const { gateway, release: done } = pin();
    let response: Response;
    try {
      response = await (admin ? gateway.adminFetch(request) : gateway.fetch(request));
    } catch (error) {
      done();
      throw error;
    }
    return releasedAtEnd(response, done);
  };

  const reloadable: Omit<ReloadableGateway, ServingPart> = {
    get draining() {
      return draining;
    },
    reloadStatus: () => status,
    pin,
    fetch: (request) => pinnedFetch(request, false),
    adminFetch: (request) => pinnedFetch(request, true),
    startDraining: () => {
      draining = true;
      current.gateway.startDraining();
    },
    reload,
    close: async () => {
      draining = true;
      await running;
      await Promise.allSettled([
        current.gateway.close(),
        ...[...retiring].map((generation) => generation.gateway.close()),
      ]);
    },
  };
  return forwardServingParts(reloadable, () => current.gateway);
}

/** The parts of a gateway read from the generation serving at the moment of the read. */
const SERVING_PARTS = [
  'config',
  'composed',
  'bffs',
  'metrics',
  'metricsText',
  'logger',
  'redis',
  'readinessChecks',
  'apiKeyStore',
  'memoryRateLimitStore',
] as const satisfies ReadonlyArray<keyof Gateway>;
type ServingPart = (typeof SERVING_PARTS)[number];

/** Adds to `target` a getter per serving part that reads it from `serving()` each time (never a copy). */
function forwardServingParts<T extends object>(target: T, serving: () => Gateway): T & Pick<Gateway, ServingPart> {
  for (const part of SERVING_PARTS)
    Object.defineProperty(target, part, { get: () => serving()[part], enumerable: true, configurable: true });
  return target as T & Pick<Gateway, ServingPart>;
}
