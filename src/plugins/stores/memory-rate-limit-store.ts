import { describeBucket, type BucketCharge, type ConsumeResult, type RateLimitStore } from './rate-limit-store';

export interface MemoryRateLimitStoreOptions {
  /** Clock in ms (tests pass a fake one). @default Date.now */
  now?: () => number;
  /** Buckets kept before full ones are swept. @default 10000 */
  sweepThreshold?: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  capacity: number;
  windowMs: number;
}

/** Token buckets in this process: exact, since JavaScript runs one request's consume at a time. */
export function createMemoryRateLimitStore({
  now = Date.now,
  sweepThreshold = 10_000,
}: MemoryRateLimitStoreOptions = {}): RateLimitStore {
  const buckets = new Map<string, Bucket>();

  function refill(charge: BucketCharge, at: number): number {
    const bucket = buckets.get(charge.key);
    if (!bucket) return charge.capacity;
    const elapsed = Math.max(0, at - bucket.updatedAt);
    return Math.min(charge.capacity, bucket.tokens + (elapsed * charge.capacity) / charge.windowMs);
  }

  // A full bucket carries no information; dropping it keeps memory bounded by active clients.
  function sweep(at: number): void {
    for (const [key, bucket] of buckets) {
      if (bucket.tokens + ((at - bucket.updatedAt) * bucket.capacity) / bucket.windowMs >= bucket.capacity)
        buckets.delete(key);
    }
  }

  return {
    async consume(charges) {
      const at = now();
      const tokens = charges.map((charge) => refill(charge, at));
      const allowed = charges.every((charge, index) => tokens[index] >= charge.cost);
      if (allowed) {
        charges.forEach((charge, index) => {
          tokens[index] -= charge.cost;
          buckets.set(charge.key, {
            tokens: tokens[index],
            updatedAt: at,
            capacity: charge.capacity,
            windowMs: charge.windowMs,
          });
        });
        if (buckets.size > sweepThreshold) sweep(at);
      }
      const result: ConsumeResult = {
        allowed,
        buckets: charges.map((charge, index) => describeBucket(charge, tokens[index], allowed)),
      };
      return result;
    },
  };
}
