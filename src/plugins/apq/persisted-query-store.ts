import type { RedisClient } from '../../core/redis-client';
import type { Logger } from '../../core/logger';
import { DEFAULT_REDIS_COMMAND_TIMEOUT_MS, withRedisDeadline } from '../stores/with-redis-deadline';

/** Where automatic persisted queries live: hash -> document. */
export interface PersistedQueryStore {
  /** The document registered under `hash`, or null (never registered, expired, or the store is down). */
  get(hash: string): Promise<string | null>;
  /** Registers `document` under `hash`; a failure is logged, never thrown (the client sends the document again). */
  set(hash: string, document: string): Promise<void>;
}

/**
 * In this process only, the oldest registration dropped past `maxEntries`.
 * Map keeps insertion order; a read moves the entry to the end, so this is LRU.
 */
export function createMemoryPersistedQueryStore(maxEntries: number, ttlMs: number): PersistedQueryStore {
  const entries = new Map<string, { document: string; expiresAt: number }>();
  return {
    async get(hash) {
      const entry = entries.get(hash);
      if (!entry) return null;
      entries.delete(hash);
      if (entry.expiresAt <= Date.now()) return null;
      entries.set(hash, entry);
      return entry.document;
    },
    async set(hash, document) {
      entries.delete(hash);
      entries.set(hash, { document, expiresAt: Date.now() + ttlMs });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
  };
}

export interface RedisPersistedQueryStoreOptions {
  redis: RedisClient;
  keyPrefix: string;
  ttlMs: number;
  commandTimeoutMs?: number;
  logger: Logger;
}

/**
 * Shared by every instance, so a hash registered through one is known to all.
 * Fails open: a Redis that is down or slow answers "not registered", and the
 * client's retry with the full document runs through every policy as usual.
 */
export function createRedisPersistedQueryStore({
  redis,
  keyPrefix,
  ttlMs,
  commandTimeoutMs = DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
  logger,
}: RedisPersistedQueryStoreOptions): PersistedQueryStore {
  return {
    async get(hash) {
      try {
        return await withRedisDeadline('GET', commandTimeoutMs, () => redis.get(`${keyPrefix}${hash}`));
      } catch (error) {
        logger.warn({ err: (error as Error).message }, 'apq: lookup failed; answering not found');
        return null;
      }
    },
    async set(hash, document) {
      try {
        await withRedisDeadline('SET', commandTimeoutMs, () => redis.set(`${keyPrefix}${hash}`, document, 'PX', ttlMs));
      } catch (error) {
        logger.warn({ err: (error as Error).message }, 'apq: registration not stored');
      }
    },
  };
}
