import { useResponseCache as useEnvelopResponseCache, type Cache } from '@envelop/response-cache';
import { buildCacheKey } from './build-cache-key';
import type { DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { withGatewayServices } from '../shared/gateway-services';
import type { GatewayContext } from '../../core/context';
import { getOrCreateCounter } from '../../observability/get-or-create-metric';
import { createRedisHealth } from '../stores/redis-health';
import {
  PolicyOptionError,
  requireNonEmptyString,
  requirePositiveInteger,
  requireStringList,
} from '../shared/option-checks';
import { asGatewayContext } from '../rate-limit/use-rate-limit';
import { requireSchemaCoordinates } from '../shared/require-schema-coordinates';
import {
  createGuardedCache,
  createMemoryResponseCache,
  createRedisResponseCache,
  responseCacheKeyPrefix,
} from '../stores/create-response-cache-store';
import { touchesPrivateScope } from './private-scope';
import type { ResponseCacheInvalidator } from './response-cache-invalidator';
import { attachResponseReplay, createResponseReplay } from './replay/create-response-replay';
import { markReplaySafe } from '../shared/replay-safety';
import { getRequestMetrics } from '../../observability/gateway-metrics';
import { getRequestRecord } from '../../observability/request-record';
import { describePolicy } from '../shared/describe-policy';
import { cacheControlFor, createExpiryMemory, fallbackTtlMs, weakEtagOf } from './http-cache-headers';
import { describeGetAnswer } from './describe-get-answer';
import { labelledChildren } from '../../observability/labelled-children';

export interface ResponseCacheOptions {
  /** Lifetime of an entry without a more specific TTL, in ms. @default 60000 */
  ttlMs?: number;
  /** TTL by type, in ms: an entry lives as long as the shortest TTL of the types in it. `0` never caches. @default {} */
  ttlPerType?: Record<string, number>;
  /** TTL by field `Type.field`, in ms, for queries that select it. `0` never caches. @default {} */
  ttlPerField?: Record<string, number>;
  /**
   * Types and `Type.field` coordinates whose answers depend on the caller.
   * A query touching one is cached per identity (JWT subject or API key) and
   * never for anonymous callers; every other query is shared by all callers.
   * @default []
   */
  privateScope?: string[];
  /** Types never cached. @default [] */
  ignoredTypes?: string[];
  /** Fields that identify an entity, for invalidation. @default ['id'] */
  idFields?: string[];
  /** Mutations drop the cached entries holding the entities they return (type and id). @default true */
  invalidateViaMutation?: boolean;
  /** Entries kept by the in-memory cache (LRU). @default 1000 */
  maxEntries?: number;
  /**
   * Request headers whose values the answer depends on (e.g. ones a source
   * forwards upstream, like `accept-language`): each value gets its own entry.
   * @default []
   */
  varyHeaders?: string[];
  /** Response header saying HIT or MISS; `false` sends none. @default 'x-loom-cache' */
  header?: string | false;
  /**
   * Explicit invalidation for upstream events (see createResponseCacheInvalidator).
   * BFFs sharing one invalidator also share mutation invalidations.
   */
  invalidator?: ResponseCacheInvalidator;
  /** Cache override (tests, custom backends). @default Redis when the gateway has one, else in memory */
  cache?: Cache;
  /**
   * Response replay: a repeated public hit answered from node:http without
   * running the request pipeline (see createResponseReplay). Only on BFFs
   * whose every policy is replay-safe (no auth, rate limit or IP filter), and
   * never for requests with credentials. `false` turns it off.
   * @default { maxBodyBytes: 16384 }, remembering as many request shapes as `maxEntries`
   */
  replay?: false | { maxBodyBytes?: number };
  /**
   * HTTP caching of GET answers: `Cache-Control: public, max-age=<what the
   * entry has left>` on public entries, `private` on answers for an identity,
   * `no-store` on anything not cached (errors, refusals, uncacheable types),
   * with `Vary` and a weak `ETag` (`If-None-Match` answers 304). `false`
   * leaves GET answers without these headers.
   * @default true
   */
  httpCaching?: boolean;
}

const COORDINATE = /^[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*$/;
const TYPE_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

function requireTtls(name: string, ttls: Record<string, number>, keyPattern: RegExp, expected: string): void {
  for (const [key, ttl] of Object.entries(ttls)) {
    if (!keyPattern.test(key))
      throw new PolicyOptionError('useResponseCache', `${name} key ${JSON.stringify(key)} must be ${expected}`);
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0) {
      throw new PolicyOptionError(
        'useResponseCache',
        `${name}.${key} must be a non-negative integer (ms), got ${JSON.stringify(ttl)}`,
      );
    }
  }
}

function validateOptions(options: ResponseCacheOptions) {
  const ttlMs = options.ttlMs ?? 60_000;
  requirePositiveInteger('useResponseCache', 'ttlMs', ttlMs);
  const maxEntries = options.maxEntries ?? 1000;
  requirePositiveInteger('useResponseCache', 'maxEntries', maxEntries);
  requireTtls('ttlPerType', options.ttlPerType ?? {}, TYPE_NAME, 'a type name');
  requireTtls('ttlPerField', options.ttlPerField ?? {}, COORDINATE, 'a Type.field coordinate');
  const privateScope = options.privateScope ?? [];
  requireStringList('useResponseCache', 'privateScope', privateScope);
  for (const entry of privateScope) {
    if (!TYPE_NAME.test(entry) && !COORDINATE.test(entry))
      throw new PolicyOptionError(
        'useResponseCache',
        `privateScope entry ${JSON.stringify(entry)} must be a type or Type.field`,
      );
  }
  requireStringList('useResponseCache', 'ignoredTypes', options.ignoredTypes ?? []);
  const varyHeaders = (options.varyHeaders ?? []).map((name) => (typeof name === 'string' ? name.toLowerCase() : name));
  requireStringList('useResponseCache', 'varyHeaders', varyHeaders);
  const header = options.header ?? 'x-loom-cache';
  if (header !== false) requireNonEmptyString('useResponseCache', 'header', header);
  const replayBodyBytes = options.replay === false ? 0 : (options.replay?.maxBodyBytes ?? 16_384);
  if (options.replay !== false) requirePositiveInteger('useResponseCache', 'replay.maxBodyBytes', replayBodyBytes);
  if (options.httpCaching !== undefined && typeof options.httpCaching !== 'boolean')
    throw new PolicyOptionError('useResponseCache', `httpCaching must be a boolean`);
  const httpCaching = options.httpCaching ?? true;
  return { ttlMs, maxEntries, privateScope, header, varyHeaders, replayBodyBytes, httpCaching };
}

type Outcome = 'HIT' | 'MISS';

/**
 * Response caching on @envelop/response-cache: in memory, or shared by every
 * instance through Redis when the gateway has it. Results with errors are
 * never cached. Redis trouble never fails a request: it becomes a miss, and a
 * Redis that does not answer within `redis.commandTimeoutMs` is trouble.
 *
 * Put it after auth (private entries key on `context.identity`) and after the
 * rate limit.
 */
export function useResponseCache(options: ResponseCacheOptions = {}): Plugin {
  const { ttlMs, maxEntries, privateScope, header, varyHeaders, replayBodyBytes, httpCaching } =
    validateOptions(options);
  const privateSet = new Set(privateScope);
  const unknownAgeTtlMs = fallbackTtlMs(ttlMs, options.ttlPerType, options.ttlPerField);

  // Caching never refuses or changes a request: replay-safe, keyed by the headers the entry varies on.
  const plugin = markReplaySafe(
    withGatewayServices((policy) => {
      const health = policy.redis
        ? createRedisHealth({
            redis: policy.redis,
            bffName: policy.bffName,
            component: 'response-cache',
            logger: policy.logger,
            metrics: policy.metrics,
            readinessTimeoutMs: policy.redisReadinessTimeoutMs,
          })
        : undefined;
      if (health && !options.cache) policy.addReadinessCheck('response-cache-redis', () => health.check());
      const store =
        options.cache ??
        (policy.redis
          ? createRedisResponseCache(
              policy.redis,
              responseCacheKeyPrefix(policy.redisKeyPrefix),
              policy.redisCommandTimeoutMs,
            )
          : createMemoryResponseCache(maxEntries));
      const invalidator = options.invalidator;
      invalidator?.attach(store);
      // With an invalidator, a mutation here also drops the entity from every other BFF that shares it.
      const invalidateAll: Cache['invalidate'] = invalidator
        ? (entities) => invalidator.invalidate([...entities])
        : (entities) => store.invalidate(entities);
      const guarded = createGuardedCache(
        { get: store.get, set: store.set, invalidate: invalidateAll },
        options.cache ? undefined : health,
      );
      const hits = getOrCreateCounter(policy.metrics, {
        name: 'loom_cache_hits_total',
        help: 'Responses served from the response cache',
        labelNames: ['bff'],
      });
      const misses = getOrCreateCounter(policy.metrics, {
        name: 'loom_cache_misses_total',
        help: 'Cacheable responses not found in the response cache',
        labelNames: ['bff'],
      });

      const requestMetrics = getRequestMetrics(policy.metrics);
      const expiries = createExpiryMemory(maxEntries);
      const replays = getOrCreateCounter(policy.metrics, {
        name: 'loom_cache_replays_total',
        help: 'Cache hits answered by response replay, without the request pipeline',
        labelNames: ['bff'],
      });
      // A replay is the hottest path there is: its metric children are made once (labelled-children.ts).
      const replayHits = hits.labels(policy.bffName);
      const replayCount = replays.labels(policy.bffName);
      const replayedRequests = labelledChildren((operation) =>
        requestMetrics.requests.labels(policy.bffName, operation, '200'),
      );
      const replayedDuration = labelledChildren((operation) =>
        requestMetrics.duration.labels(policy.bffName, operation),
      );
      const replay =
        replayBodyBytes > 0
          ? createResponseReplay({
              cache: guarded,
              maxEntries,
              maxBodyBytes: replayBodyBytes,
              header,
              // Replay runs only on BFFs without auth, for requests without credentials: public answers.
              getAnswerHeaders: httpCaching
                ? (cacheId, body) => ({
                    'cache-control': cacheControlFor(
                      {
                        outcome: 'HIT',
                        personal: false,
                        status: 200,
                        expiresAt: expiries.expiryOf(cacheId) ?? Date.now() + unknownAgeTtlMs,
                      },
                      Date.now(),
                    ),
                    etag: weakEtagOf(Buffer.from(body)),
                  })
                : undefined,
              onReplay: (operation, durationMs) => {
                replayHits.inc();
                replayCount.inc();
                replayedRequests(operation).inc();
                replayedDuration(operation).observe(durationMs / 1000);
              },
            })
          : undefined;
      // The store entry each request's answer came from or went to: what a replay of it would read.
      const cacheIds = new WeakMap<Request, string>();

      const outcomes = new WeakMap<Request, Outcome>();
      // For GET answers' Cache-Control: when each request's entry expires, and whether it is someone's own.
      const expiresAtByRequest = new WeakMap<Request, number>();
      const personalByRequest = new WeakMap<Request, boolean>();
      // Writes and invalidations the cache plugin fires without waiting; the response waits for them (below).
      const pendingWrites = new WeakMap<Request, Array<Promise<void>>>();
      // Per request: does the operation touch PRIVATE scope? Set before the cache plugin asks.
      const privateByContext = new WeakMap<object, boolean>();
      const privateByDocument = new WeakMap<DocumentNode, boolean>();

      const subjectOf = (context: GatewayContext) => {
        const identity = context.identity;
        return identity && identity.kind !== 'anonymous' && identity.subject
          ? `${identity.kind}:${identity.subject}`
          : undefined;
      };

      function recordingCache(context: GatewayContext): Cache {
        return {
          get: async (id) => {
            const cached = await guarded.get(id);
            const outcome: Outcome = cached ? 'HIT' : 'MISS';
            (outcome === 'HIT' ? hits : misses).inc({ bff: policy.bffName });
            if (context.request) outcomes.set(context.request, outcome);
            if (cached && context.request) {
              cacheIds.set(context.request, id);
              expiresAtByRequest.set(context.request, expiries.expiryOf(id) ?? Date.now() + unknownAgeTtlMs);
            }
            return cached;
          },
          set: (id, data, entities, ttl) => {
            if (context.request) cacheIds.set(context.request, id);
            if (ttl !== undefined && Number.isFinite(ttl) && ttl > 0) {
              const expiresAt = Date.now() + ttl;
              expiries.remember(id, expiresAt);
              if (context.request) expiresAtByRequest.set(context.request, expiresAt);
            }
            return track(context, guarded.set(id, data, entities, ttl));
          },
          invalidate: (entities) => track(context, guarded.invalidate(entities)),
        };
      }

      function track(context: GatewayContext, write: PromiseLike<void> | void): Promise<void> {
        const promise = Promise.resolve(write);
        if (context.request)
          pendingWrites.set(context.request, [...(pendingWrites.get(context.request) ?? []), promise]);
        return promise;
      }

      const scopePlugin: Plugin = {
        onExecute({ args }) {
          let touches = privateByDocument.get(args.document);
          if (touches === undefined) {
            touches = touchesPrivateScope(args.schema, args.document, privateSet);
            privateByDocument.set(args.document, touches);
          }
          privateByContext.set(args.contextValue, touches);
          const context = asGatewayContext(args.contextValue);
          if (context.request) personalByRequest.set(context.request, touches || subjectOf(context) !== undefined);
        },
      };

      const cachePlugin: Plugin = useEnvelopResponseCache({
        cache: (context) => recordingCache(asGatewayContext(context)),
        ttl: ttlMs,
        ttlPerSchemaCoordinate: { ...options.ttlPerType, ...options.ttlPerField },
        scopePerSchemaCoordinate: Object.fromEntries(privateScope.map((entry) => [entry, 'PRIVATE' as const])),
        ignoredTypes: options.ignoredTypes,
        idFields: options.idFields,
        invalidateViaMutation: options.invalidateViaMutation ?? true,
        includeExtensionMetadata: false,
        // Public entries carry no session, so every caller shares them; private ones carry the caller's.
        session: (context) => (privateByContext.get(context) ? subjectOf(asGatewayContext(context)) : null),
        // A private answer for an anonymous caller has no owner to key it by: not cached.
        enabled: (context) => !(privateByContext.get(context) && subjectOf(asGatewayContext(context)) === undefined),
        // Errors (a failing upstream, a partial result) are never cached; the default would also log a warning.
        shouldCacheResult: ({ result }) => !result.errors?.length,
        buildResponseCacheKey: (params) => {
          if (varyHeaders.length === 0) return buildCacheKey(params);
          const context = params.context;
          const request =
            typeof context === 'object' && context !== null ? asGatewayContext(context).request : undefined;
          const varied = JSON.stringify(varyHeaders.map((name) => request?.headers.get(name) ?? null));
          return buildCacheKey({ ...params, sessionId: `${params.sessionId ?? ''}|${varied}` });
        },
      });

      const responsePlugin: Plugin = {
        onSchemaChange({ schema }) {
          requireSchemaCoordinates('useResponseCache', 'privateScope', schema, privateScope);
          requireSchemaCoordinates('useResponseCache', 'ttlPerType', schema, Object.keys(options.ttlPerType ?? {}));
          requireSchemaCoordinates('useResponseCache', 'ttlPerField', schema, Object.keys(options.ttlPerField ?? {}));
        },
        async onResponse({ request, response, setResponse }) {
          const cacheId = cacheIds.get(request);
          if (replay?.enabled && cacheId)
            replay.remember(request, cacheId, getRequestRecord(request)?.operationLabel ?? 'unknown');
          const outcome = outcomes.get(request);
          if (outcome && header !== false) response.headers.set(header, outcome);
          // Read-your-writes across instances: once a client has the answer to a
          // mutation, no instance serves the entries it invalidated, and a MISS
          // is in the shared cache before the next request can ask another
          // instance. Guarded writes never reject.
          const writes = pendingWrites.get(request);
          if (writes) await Promise.all(writes);
          if (httpCaching && request.method === 'GET') {
            const answer = await describeGetAnswer(request, response, {
              outcome,
              expiresAt: expiresAtByRequest.get(request),
              personal: personalByRequest.get(request) ?? false,
              varyHeaders,
            });
            if (answer) setResponse(answer);
          }
        },
      };
      if (replay) attachResponseReplay(responsePlugin, replay);
      return [scopePlugin, cachePlugin, responsePlugin];
    }),
    varyHeaders,
  );
  return describePolicy(plugin, { policy: 'useResponseCache', options });
}
