import { createHash } from 'node:crypto';

/**
 * What the response cache learnt about one GET request's answer. An answer
 * with errors is never stored, so it has no `expiresAt` unless it was a hit.
 */
export interface GetAnswerFacts {
  /** HIT or MISS when the cache was asked; undefined when it was never consulted (e.g. refused early). */
  outcome?: 'HIT' | 'MISS';
  /** When the entry this answer came from or went to expires (epoch ms); undefined when nothing was stored. */
  expiresAt?: number;
  /** The answer depends on who asks: a private-scope entry, or any caller with an identity. */
  personal: boolean;
  status: number;
}

/**
 * The `Cache-Control` value for a GET answer. Shared caches (CDNs) may keep
 * only public, error-free answers that are in the response cache, and for no
 * longer than the entry has left; an answer for an identity is `private`, and
 * anything else `no-store`, so a CDN never keeps what Loom itself would not.
 */
export function cacheControlFor(facts: GetAnswerFacts, now: number): string {
  if (facts.status !== 200 || !facts.outcome || facts.expiresAt === undefined) return 'no-store';
  const maxAgeSeconds = Math.floor((facts.expiresAt - now) / 1000);
  if (maxAgeSeconds <= 0) return 'no-store';
  return `${facts.personal ? 'private' : 'public'}, max-age=${maxAgeSeconds}`;
}

/** A weak validator over the body as sent before any compression (so weak: encodings differ). */
export function weakEtagOf(body: Uint8Array): string {
  return `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** Whether an `If-None-Match` header names `etag` (weak comparison, RFC 9110 13.1.2). */
export function ifNoneMatchHits(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => bare(tag) === bare(etag));
}

/**
 * When entries this process wrote expire, by store id, so a later hit can say
 * how long it has left. Bounded like the cache (oldest forgotten first); an
 * entry another instance wrote is not known here (see `fallbackTtlMs`).
 */
export function createExpiryMemory(maxEntries: number) {
  const expiries = new Map<string, number>();
  return {
    remember(id: string, expiresAt: number) {
      expiries.delete(id);
      expiries.set(id, expiresAt);
      if (expiries.size > maxEntries) expiries.delete(expiries.keys().next().value as string);
    },
    expiryOf: (id: string): number | undefined => expiries.get(id),
  };
}

/**
 * How long a hit of unknown age may be kept by others: the shortest TTL the
 * cache is configured with, so a CDN never holds an entry longer than the
 * shortest-lived one could live here.
 */
export function fallbackTtlMs(ttlMs: number, ...perCoordinate: Array<Record<string, number> | undefined>): number {
  const positive = perCoordinate.flatMap((ttls) => Object.values(ttls ?? {})).filter((ttl) => ttl > 0);
  return Math.min(ttlMs, ...positive);
}
