import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Cache } from '@envelop/response-cache';
import { requestIdFrom } from '../../../observability/request-record';

export interface ResponseReplayOptions {
  /** The BFF's guarded cache store: an entry is replayed only while the store still holds its answer. */
  cache: Cache;
  /** Request shapes remembered (oldest forgotten first). */
  maxEntries: number;
  /** Larger POST bodies are never replayed; they go through Yoga as they are. */
  maxBodyBytes: number;
  /** The HIT/MISS response header, if any. */
  header: string | false;
  /** Counts a replayed request the way a served one is counted. */
  onReplay(operationLabel: string, durationMs: number): void;
}

interface ReplayEntry {
  cacheId: string;
  headers: OutgoingHttpHeaders;
  operationLabel: string;
}

export interface ResponseReplay {
  /** Turns replay on, once, when every policy of the BFF is replay-safe; their key headers join the key. */
  enable(keyHeaders: readonly string[]): void;
  readonly enabled: boolean;
  /**
   * Answers the request from a remembered public cache hit, or hands it to `next`.
   * `body`: a POST's body as read by the server (undefined when too large to keep).
   */
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer | undefined, next: () => void): void;
  /** From the cache policy: this request's answer is in the store under `cacheId`. */
  remember(req: IncomingMessage, cacheId: string, operationLabel: string): void;
}

/** Hop-by-hop and per-response headers that a replay sets afresh. */
const NOT_REPLAYED = new Set(['content-length', 'date', 'connection', 'keep-alive', 'transfer-encoding', 'x-request-id']);
/** The caller's identity: such requests always take the full path (auth, private scope). */
const IDENTITY_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * Response replay: a public response-cache hit answered straight from
 * node:http, without building a Fetch request or running the envelop
 * pipeline. A request is replayed when the same method, URL, body and key
 * headers were answered before from an entry of the response cache and the
 * store still holds that entry, so TTLs and invalidations (mutations,
 * invalidators, other instances through Redis) apply exactly as on the full
 * path; the body is the stored result, as the full path would send it.
 *
 * Only on BFFs whose policies are all replay-safe (see markReplaySafe): a
 * policy that must see every request (auth, rate limits, IP filters) turns
 * replay off for its BFF. Requests carrying credentials never replay.
 * Replayed requests are counted in the request and cache metrics but get no
 * per-request log line or trace span.
 */
export function createResponseReplay(options: ResponseReplayOptions): ResponseReplay {
  const entries = new Map<string, ReplayEntry>();
  const keys = new WeakMap<IncomingMessage, string>();
  const remembered = new WeakMap<IncomingMessage, { cacheId: string; operationLabel: string }>();
  let keyHeaders: readonly string[] = [];
  let enabled = false;

  const keyOf = (req: IncomingMessage, body: string) => {
    let key = `${req.method} ${req.url}`;
    for (const name of keyHeaders) key += `\n${req.headers[name] ?? ''}`;
    return `${key}\n\n${body}`;
  };

  /** Never replay a cookie to someone else, nor an answer that varies on a header the key leaves out. */
  function replayable(headers: OutgoingHttpHeaders): boolean {
    const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
    if (lower['set-cookie'] !== undefined) return false;
    const vary = [lower.vary ?? []].flat().join(',').toLowerCase();
    return vary.split(',').every((name) => !name.trim() || keyHeaders.includes(name.trim()));
  }

  function store(key: string, entry: ReplayEntry) {
    entries.delete(key);
    entries.set(key, entry);
    if (entries.size > options.maxEntries) entries.delete(entries.keys().next().value as string);
  }

  /** Learns the response's headers as Yoga writes them, and keeps the entry once it is sent. */
  function watch(req: IncomingMessage, res: ServerResponse, key: string) {
    keys.set(req, key);
    let headers: OutgoingHttpHeaders | undefined;
    const writeHead = res.writeHead;
    res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      const given = args.find((arg, index) => index > 0 && typeof arg === 'object' && arg !== null && !Array.isArray(arg));
      if (args[0] === 200) headers = { ...this.getHeaders(), ...(given as OutgoingHttpHeaders | undefined) };
      return (writeHead as (...all: unknown[]) => ServerResponse).apply(this, args);
    } as ServerResponse['writeHead'];
    res.once('finish', () => {
      const known = remembered.get(req);
      if (!known || !headers || !replayable(headers)) return;
      const kept: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(headers)) if (!NOT_REPLAYED.has(name.toLowerCase())) kept[name.toLowerCase()] = value;
      if (options.header !== false) kept[options.header] = 'HIT';
      store(key, { cacheId: known.cacheId, headers: kept, operationLabel: known.operationLabel });
    });
  }

  function serveOrPass(req: IncomingMessage, res: ServerResponse, key: string, next: () => void) {
    const entry = entries.get(key);
    if (!entry) {
      watch(req, res, key);
      return next();
    }
    const startedAt = performance.now();
    Promise.resolve(options.cache.get(entry.cacheId)).then(
      (result) => {
        if (result === undefined || result === null) {
          entries.delete(key);
          watch(req, res, key);
          return next();
        }
        const body = JSON.stringify(result);
        res.writeHead(200, { ...entry.headers, 'x-request-id': requestIdFrom(req.headers['x-request-id'] as string | undefined), 'content-length': Buffer.byteLength(body) });
        res.end(body);
        options.onReplay(entry.operationLabel, performance.now() - startedAt);
      },
      () => next(),
    );
  }

  return {
    get enabled() {
      return enabled;
    },
    enable(headers) {
      keyHeaders = [...new Set(['accept', 'content-type', ...headers.map((name) => name.toLowerCase())])].sort();
      enabled = true;
    },
    handle(req, res, body, next) {
      if (!enabled || IDENTITY_HEADERS.some((name) => req.headers[name] !== undefined)) return next();
      if (req.method === 'GET') return serveOrPass(req, res, keyOf(req, ''), next);
      if (req.method !== 'POST' || body === undefined || body.length > options.maxBodyBytes) return next();
      serveOrPass(req, res, keyOf(req, body.toString('latin1')), next);
    },
    remember(req, cacheId, operationLabel) {
      if (keys.has(req)) remembered.set(req, { cacheId, operationLabel });
    },
  };
}

const RESPONSE_REPLAY = Symbol.for('loom.responseReplay');

/** Hangs the replay on the cache policy's plugin, where createBffApp finds it. */
export function attachResponseReplay<T extends object>(plugin: T, replay: ResponseReplay): T {
  (plugin as { [RESPONSE_REPLAY]?: ResponseReplay })[RESPONSE_REPLAY] = replay;
  return plugin;
}

/** The response replay a BFF's policies offer, if any. */
export function findResponseReplay(plugins: readonly object[]): ResponseReplay | undefined {
  for (const plugin of plugins) {
    const replay = (plugin as { [RESPONSE_REPLAY]?: ResponseReplay })[RESPONSE_REPLAY];
    if (replay) return replay;
  }
  return undefined;
}
