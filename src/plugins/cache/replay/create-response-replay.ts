import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Cache } from '@envelop/response-cache';
import type { Plugin } from 'graphql-yoga';
import { requestIdFrom } from '../../../observability/request-record';
import { isPromiseLike } from '../../../core/is-promise-like';
import { ifNoneMatchHits } from '../http-cache-headers';

export interface ResponseReplayOptions {
  /** The BFF's guarded cache store: an entry is replayed only while the store still holds its answer. */
  cache: Cache;
  /** Request shapes remembered (oldest forgotten first). */
  maxEntries: number;
  /** Larger POST bodies are never replayed; they go through Yoga as they are. */
  maxBodyBytes: number;
  /** The HIT/MISS response header, if any. */
  header: string | false;
  /**
   * HTTP caching headers for a replayed GET (`Cache-Control`, `ETag`), made
   * afresh from the entry and the body, since a learnt max-age goes stale.
   */
  getAnswerHeaders?(cacheId: string, body: string): Record<string, string>;
  /** Counts a replayed request the way a served one is counted. */
  onReplay(operationLabel: string, durationMs: number): void;
}

interface ReplayEntry {
  cacheId: string;
  headers: OutgoingHttpHeaders;
  /** The same headers as [name, value, name, value...], which writeHead takes without walking an object. */
  headerList: Array<string | number | string[]>;
  operationLabel: string;
}

export interface ResponseReplay {
  /** Turns replay on, once, when every policy of the BFF is replay-safe; their key headers join the key. */
  enable(keyHeaders: readonly string[]): void;
  readonly enabled: boolean;
  /**
   * Answers the request from a remembered public cache hit, or hands it to
   * `next` with the server context to pass to Yoga (it carries the replay key).
   * `body`: a POST's body as read by the server (undefined when too large to keep).
   */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer | undefined,
    next: (serverContext: ReplayServerContext) => void,
  ): void;
  /** From the cache policy: this request's answer is in the store under `cacheId`. */
  remember(request: Request, cacheId: string, operationLabel: string): void;
  /**
   * Learns the answer's headers once every other policy has set them: the BFF
   * puts this plugin last, so its onResponse sees the response as it is sent.
   */
  readonly plugin: Plugin;
}

const REPLAY_KEY = Symbol('loom.replayKey');

/** The server context a request that may be replayed later goes through Yoga with. */
export interface ReplayServerContext {
  [REPLAY_KEY]?: string;
}

/** Hop-by-hop and per-response headers that a replay sets afresh. */
const NOT_REPLAYED = new Set([
  'content-length',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'x-request-id',
  // Per entry and moment: a GET replay computes them again (getAnswerHeaders).
  'cache-control',
  'etag',
]);
/** The caller's identity: such requests always take the full path (auth, private scope). */
const IDENTITY_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * A cached answer's JSON and its byte length, made once per result object:
 * the in-memory store hands every hit the same object (a Redis store parses a
 * new one, made again each time). Stored results are never changed.
 */
const serializedResults = new WeakMap<object, { body: string; bytes: number }>();

function serialized(result: object): { body: string; bytes: number } {
  let known = serializedResults.get(result);
  if (!known) {
    const body = JSON.stringify(result);
    serializedResults.set(result, (known = { body, bytes: Buffer.byteLength(body) }));
  }
  return known;
}

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
  const remembered = new WeakMap<Request, { cacheId: string; operationLabel: string }>();
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
    // A replay sends the stored result as one JSON body: a hit answered as a
    // multipart (@defer/@stream clients) or event stream must not be replayed
    // under its own content type.
    if (!/^application\/(graphql-response\+)?json\b/i.test(String(lower['content-type'] ?? ''))) return false;
    const vary = [lower.vary ?? []].flat().join(',').toLowerCase();
    return vary.split(',').every((name) => !name.trim() || keyHeaders.includes(name.trim()));
  }

  function store(key: string, entry: ReplayEntry) {
    entries.delete(key);
    entries.set(key, entry);
    if (entries.size > options.maxEntries) entries.delete(entries.keys().next().value as string);
  }

  /** Keeps a sent 200 answer that came from the cache, with its headers less the per-response ones. */
  function learn(key: string, request: Request, response: Response) {
    const known = remembered.get(request);
    if (!known || response.status !== 200) return;
    const headers: OutgoingHttpHeaders = {};
    response.headers.forEach((value, name) => {
      headers[name] = name === 'set-cookie' ? response.headers.getSetCookie() : value;
    });
    if (!replayable(headers)) return;
    const kept: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers)) if (!NOT_REPLAYED.has(name)) kept[name] = value;
    if (options.header !== false) kept[options.header] = 'HIT';
    const headerList = Object.entries(kept).flatMap(([name, value]) => (value === undefined ? [] : [name, value]));
    store(key, { cacheId: known.cacheId, headers: kept, headerList, operationLabel: known.operationLabel });
  }

  function serveOrPass(
    res: ServerResponse,
    req: IncomingMessage,
    key: string,
    next: (serverContext: ReplayServerContext) => void,
  ) {
    const entry = entries.get(key);
    if (!entry) return next({ [REPLAY_KEY]: key });
    const startedAt = performance.now();
    const answer = (result: unknown) => {
      if (result === undefined || result === null) {
        entries.delete(key);
        return next({ [REPLAY_KEY]: key });
      }
      const { body, bytes } = serialized(result as object);
      const caching = req.method === 'GET' ? options.getAnswerHeaders?.(entry.cacheId, body) : undefined;
      const requestId = requestIdFrom(req.headers['x-request-id'] as string | undefined);
      if (caching?.etag && ifNoneMatchHits(req.headers['if-none-match'] ?? null, caching.etag)) {
        const { 'content-type': _type, ...rest } = entry.headers;
        res.writeHead(304, { ...rest, ...caching, 'x-request-id': requestId });
        res.end();
      } else if (caching) {
        res.writeHead(200, { ...entry.headers, ...caching, 'x-request-id': requestId, 'content-length': bytes });
        res.end(body);
      } else {
        res.writeHead(200, [...entry.headerList, 'x-request-id', requestId, 'content-length', bytes] as string[]);
        res.end(body);
      }
      options.onReplay(entry.operationLabel, performance.now() - startedAt);
    };
    let stored: ReturnType<Cache['get']>;
    try {
      stored = options.cache.get(entry.cacheId);
    } catch {
      return next({});
    }
    const answerOrPass = (result: unknown) => {
      try {
        answer(result);
      } catch {
        // As a failed read: the full path answers, unless this one already began.
        if (!res.headersSent) next({});
        else res.destroy();
      }
    };
    // The in-memory store answers at once: no promise to wait on for a hit.
    if (isPromiseLike(stored)) stored.then(answerOrPass, () => next({}));
    else answerOrPass(stored);
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
      if (!enabled || IDENTITY_HEADERS.some((name) => req.headers[name] !== undefined)) return next({});
      if (req.method === 'GET') return serveOrPass(res, req, keyOf(req, ''), next);
      if (req.method !== 'POST' || body === undefined || body.length > options.maxBodyBytes) return next({});
      serveOrPass(res, req, keyOf(req, body.toString('latin1')), next);
    },
    remember(request, cacheId, operationLabel) {
      remembered.set(request, { cacheId, operationLabel });
    },
    plugin: {
      onResponse({ request, response, serverContext }) {
        const key = (serverContext as ReplayServerContext | undefined)?.[REPLAY_KEY];
        if (enabled && key !== undefined) learn(key, request, response);
      },
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
