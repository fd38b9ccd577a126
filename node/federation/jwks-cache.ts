import type { JWK } from "jose";
import { LRUCache } from "lru-cache";
import type { Outbound } from "../net/outbound.ts";
import { fetchJwks, type KeyLoader } from "../signing/verify.ts";

/** Options of {@link createJwksCache}. */
export interface JwksCacheOptions {
  readonly outbound: Outbound;
  /** Origins whose keys are kept at most (default 2,000; least recently used go first). */
  readonly maxOrigins?: number;
  /** How long a fetched JWKS is trusted (default 1 hour). */
  readonly ttlMs?: number;
  /** Least time between two refetches of one origin for an unknown kid (default 30 s). */
  readonly refetchAfterMs?: number;
  /** Called when fetching an origin's keys failed, with why (the peer's health records it). */
  readonly onFetchFailed?: (origin: string, reason: string) => void;
}

/**
 * Caches each origin's published keys: verifying is cheap, fetching is not. An unknown
 * `kid` (the origin rotated its key) triggers one refetch, at most every `refetchAfterMs`,
 * so a flood of badly signed items cannot make us hammer an origin.
 */
export function createJwksCache(options: JwksCacheOptions): KeyLoader {
  const ttl = options.ttlMs ?? 60 * 60 * 1000;
  const refetchAfter = options.refetchAfterMs ?? 30_000;
  const entries = new LRUCache<string, { keys: JWK[]; fetchedAt: number }>({ max: options.maxOrigins ?? 2_000 });
  const inflight = new Map<string, Promise<{ ok: true; keys: JWK[] } | { ok: false; reason: string }>>();

  function refresh(origin: string) {
    let pending = inflight.get(origin);
    if (!pending) {
      pending = fetchJwks(origin, { outbound: options.outbound }).then((result) => {
        inflight.delete(origin);
        if (result.ok) entries.set(origin, { keys: result.keys, fetchedAt: Date.now() });
        else options.onFetchFailed?.(origin, result.reason);
        return result;
      });
      inflight.set(origin, pending);
    }
    return pending;
  }

  return async (origin, kid) => {
    const entry = entries.get(origin);
    const age = entry ? Date.now() - entry.fetchedAt : Infinity;
    const known = entry && kid !== null && entry.keys.some((k) => k.kid === kid);
    if (entry && age < ttl && (known || age < refetchAfter)) return { ok: true as const, keys: entry.keys };
    const result = await refresh(origin);
    // The origin is down but we hold keys: signatures made with them still verify.
    if (!result.ok && entry) return { ok: true as const, keys: entry.keys };
    return result;
  };
}
