import { LRUCache } from "lru-cache";

/** Options of {@link createRateBuckets}. */
export interface RateBucketsOptions {
  /** Tokens each key earns per second, sustained. */
  readonly perSecond: number;
  /** The most tokens a key holds: its burst. */
  readonly burst: number;
  /** How many keys are tracked at once (least recently used ones are forgotten, i.e. start full). */
  readonly maxKeys: number;
}

/** Per-key token buckets: how fast one host may make the node work. */
export interface RateBuckets {
  /** Takes one token of `key`'s bucket; false when it is empty (refuse, the caller says why). */
  take(key: string): boolean;
}

/** Builds token buckets that refill continuously; each key starts with a full burst. */
export function createRateBuckets(options: RateBucketsOptions): RateBuckets {
  const { perSecond, burst } = options;
  const buckets = new LRUCache<string, { tokens: number; at: number }>({ max: options.maxKeys });
  return {
    take(key) {
      const now = Date.now();
      const bucket = buckets.get(key) ?? { tokens: burst, at: now };
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
      bucket.at = now;
      const allowed = bucket.tokens >= 1;
      if (allowed) bucket.tokens -= 1;
      buckets.set(key, bucket);
      return allowed;
    },
  };
}
