/** One bucket a request draws from: a rule applied to one key (a user, an API key, an IP...). */
export interface BucketCharge {
  /** Full store key, prefix included. */
  key: string;
  /** Bucket size: cost units per window. */
  capacity: number;
  /** Time for an empty bucket to refill completely, in ms. */
  windowMs: number;
  /** Units this request takes. 0 only reads the bucket. */
  cost: number;
}

export interface BucketState {
  /** Units left after this request (unchanged when it was refused). */
  remaining: number;
  /** Milliseconds until the bucket is full again. */
  resetMs: number;
  /** When refused: milliseconds until the bucket holds enough for this cost. */
  retryAfterMs: number;
}

export interface ConsumeResult {
  /** True when every bucket had enough; then all were charged, otherwise none. */
  allowed: boolean;
  /** One state per charge, in order. */
  buckets: BucketState[];
}

/**
 * Token buckets, all-or-nothing across several buckets: a request either
 * takes its cost from every bucket that applies or from none, so a refusal by
 * one rule never spends another rule's budget. In memory or in Redis.
 */
export interface RateLimitStore {
  consume(charges: readonly BucketCharge[]): Promise<ConsumeResult>;
}

/** Bucket arithmetic shared by the stores' reports (the Redis script mirrors it in Lua). */
export function describeBucket(charge: BucketCharge, tokens: number, allowed: boolean): BucketState {
  const ratePerMs = charge.capacity / charge.windowMs;
  const missing = charge.cost - tokens;
  return {
    remaining: Math.max(0, Math.floor(tokens)),
    resetMs: ratePerMs > 0 ? Math.ceil((charge.capacity - tokens) / ratePerMs) : 0,
    // A cost above the capacity can never pass; the window is the honest answer.
    retryAfterMs:
      allowed || missing <= 0 ? 0 : charge.cost > charge.capacity ? charge.windowMs : Math.ceil(missing / ratePerMs),
  };
}
