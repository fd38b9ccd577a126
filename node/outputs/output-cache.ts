import { LRUCache } from "lru-cache";
import type { Library } from "../library/library.ts";

/**
 * Documents written from the library (catalogue pages, the sitemap), kept until the library
 * changes. Writing a page of 100 datasets as JSON-LD takes about a second of CPU: once per
 * change, not once per request. Concurrent requests for one document share one writing.
 */
export interface OutputCache {
  /** The document under `key`, written by `make` unless a current one is kept. */
  get<T extends string | null>(key: string, make: () => Promise<T>): Promise<T>;
}

/** Creates a cache of at most `max` documents (default 24), emptied at every committed library change. */
export function createOutputCache(library: Library, max = 24): OutputCache {
  const cache = new LRUCache<string, Promise<string | null>>({ max });
  library.subscribe(() => cache.clear());
  return {
    get<T extends string | null>(key: string, make: () => Promise<T>): Promise<T> {
      const kept = cache.get(key);
      if (kept) return kept as Promise<T>;
      const made = make();
      cache.set(key, made);
      // A failed writing is not kept: the next request tries again.
      made.catch(() => cache.delete(key));
      return made;
    },
  };
}
