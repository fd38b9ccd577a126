import { signRequest } from "@fedify/fedify";
import { FetchError, type DocumentLoader, type RemoteDocument } from "@fedify/fedify/runtime";
import { LRUCache } from "lru-cache";
import { parseBoundedJson, type JsonBounds } from "../net/json-bounds.ts";
import type { Outbound } from "../net/outbound.ts";

// Fedify ships the common JSON-LD contexts (ActivityStreams, security, multikey…) but does
// not export them; read them from its own file so a context it preloads is never fetched.
const contextsUrl = new URL("./runtime/contexts.js", import.meta.resolve("@fedify/fedify"));
const preloaded = ((await import(contextsUrl.href)) as { default: Record<string, unknown> }).default;

/** Options of {@link createDocumentLoaders}. */
export interface DocumentLoadersOptions {
  readonly outbound: Outbound;
  /** Largest remote document read, in bytes (default 1 MiB). */
  readonly maxBytes?: number;
  /**
   * Largest document read by the signed loader (default 16 MiB): it reads outbox pages
   * when backfilling, 100 items of up to ~100 KB each with their signed documents.
   */
  readonly maxSignedBytes?: number;
  /** Shape limits on every remote document (defaults of {@link JsonBounds}, but 100,000 values). */
  readonly bounds?: JsonBounds;
  /** How long a fetched document is reused, in ms (default 60 s; contexts: 1 day). */
  readonly ttlMs?: number;
  /** Bytes of fetched documents kept in memory at most (default 32 MiB). */
  readonly cacheBytes?: number;
  /** `User-Agent` of the node's requests. */
  readonly userAgent?: string;
}

/** The three loaders Fedify takes, all through the node's outbound guard. */
export interface DocumentLoaders {
  /** Documents (actors, keys, objects, collections): cached briefly. */
  readonly documentLoader: DocumentLoader;
  /** JSON-LD contexts: the preloaded ones from memory, others fetched once a day. */
  readonly contextLoader: DocumentLoader;
  /** Documents fetched with a signed GET (for servers that require authorized fetch); not cached. */
  authenticated(identity: { readonly keyId: URL; readonly privateKey: CryptoKey }): DocumentLoader;
  /** Documents fetched every time (keys: their holder caches them, and refetches one that failed to verify). */
  readonly freshLoader: DocumentLoader;
  /** Drops a cached document, so the next load fetches it again. */
  forget(url: string): void;
}

/**
 * A remote document that could not be loaded, with what the contact learned: the HTTP
 * status a peer answered, the time budget, and the guard's error as `cause` (so that
 * `classifyContactError` can say "connection refused" rather than "fetch failed").
 */
export class RemoteDocumentError extends FetchError {
  override name = "RemoteDocumentError";
  constructor(
    url: string | URL,
    message: string,
    readonly status: number | null,
    readonly timeoutMs: number,
    options?: { readonly cause?: unknown },
  ) {
    super(url, message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

const ACCEPT =
  'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams", application/json;q=0.8';

function isJsonType(contentType: string | null): boolean {
  if (contentType === null) return true;
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  return (
    type === "application/json" ||
    type === "application/activity+json" ||
    type === "application/ld+json" ||
    type.endsWith("+json")
  );
}

/**
 * Document and context loaders for Fedify that never connect where the outbound guard
 * forbids, follow at most 5 redirects, read at most `maxBytes`, give up after the guard's
 * time budget, and refuse JSON deeper or larger than the bounds before any JSON-LD
 * processing sees it. Replaces Fedify 1.5.9's own loader, which follows redirects without
 * a limit and misreads bracketed IPv6 hosts.
 */
export function createDocumentLoaders(options: DocumentLoadersOptions): DocumentLoaders {
  const { outbound } = options;
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const bounds: JsonBounds = { maxNodes: 100_000, ...options.bounds };
  const cache = new LRUCache<string, { document: unknown; documentUrl: string; size: number }>({
    max: 5_000,
    maxSize: options.cacheBytes ?? 32 * 1024 * 1024,
    sizeCalculation: (entry) => Math.max(1, entry.size),
    ttl: options.ttlMs ?? 60_000,
  });
  const contexts = new LRUCache<string, { document: unknown; documentUrl: string; size: number }>({
    max: 200,
    ttl: 24 * 60 * 60_000,
  });
  const inflight = new Map<string, Promise<RemoteDocument>>();
  // A context that failed to load fails again at once for a while: one hostile @context
  // (a redirect loop, a slow host) costs one bounded fetch, not one per expansion.
  const failedContexts = new LRUCache<string, Error>({ max: 1_000, ttl: 5 * 60_000 });

  const maxSignedBytes = options.maxSignedBytes ?? 16 * 1024 * 1024;

  async function fetchDocument(
    url: string,
    sign?: { keyId: URL; privateKey: CryptoKey },
  ): Promise<{ document: unknown; documentUrl: string; size: number }> {
    const headers: Record<string, string> = { accept: ACCEPT };
    if (options.userAgent) headers["user-agent"] = options.userAgent;
    const timeoutMs = sign ? 60_000 : 10_000;
    const result = await outbound.fetch(url, {
      headers,
      maxBytes: sign ? maxSignedBytes : maxBytes,
      timeoutMs,
      prepare: sign ? (request) => signRequest(request, sign.privateKey, sign.keyId) : undefined,
    });
    if (!result.ok) throw new RemoteDocumentError(url, result.reason, null, timeoutMs, { cause: result.cause });
    if (result.status < 200 || result.status >= 300)
      throw new RemoteDocumentError(result.url, `HTTP ${result.status}`, result.status, timeoutMs);
    if (!isJsonType(result.headers.get("content-type")))
      throw new RemoteDocumentError(result.url, `not JSON (${result.headers.get("content-type")})`, null, timeoutMs);
    const parsed = parseBoundedJson(result.body.toString("utf8"), bounds);
    if (!parsed.ok) throw new RemoteDocumentError(result.url, parsed.reason, null, timeoutMs);
    return { document: parsed.value, documentUrl: result.url.href, size: result.body.byteLength };
  }

  function cached(store: LRUCache<string, { document: unknown; documentUrl: string; size: number }>): DocumentLoader {
    return async (url) => {
      const hit = store.get(url);
      if (hit) return { contextUrl: null, document: hit.document, documentUrl: hit.documentUrl };
      let pending = inflight.get(url);
      if (!pending) {
        // One fetch for many concurrent asks of the same URL (a burst of one peer's deliveries).
        pending = fetchDocument(url)
          .then((entry) => {
            store.set(url, entry);
            return { contextUrl: null, document: entry.document, documentUrl: entry.documentUrl };
          })
          .finally(() => inflight.delete(url));
        inflight.set(url, pending);
      }
      return pending;
    };
  }

  const remoteDocuments = cached(cache);
  const remoteContexts = cached(contexts);
  const fromMemory = (url: string): RemoteDocument => ({
    contextUrl: null,
    document: preloaded[url],
    documentUrl: url,
  });
  return {
    documentLoader: (url) => (url in preloaded ? Promise.resolve(fromMemory(url)) : remoteDocuments(url)),
    async contextLoader(url) {
      if (url in preloaded) return fromMemory(url);
      const failed = failedContexts.get(url);
      if (failed) throw failed;
      try {
        return await remoteContexts(url);
      } catch (error) {
        failedContexts.set(url, error as Error);
        throw error;
      }
    },
    authenticated(identity) {
      return async (url) => {
        const entry = await fetchDocument(url, identity);
        return { contextUrl: null, document: entry.document, documentUrl: entry.documentUrl };
      };
    },
    async freshLoader(url) {
      if (url in preloaded) return fromMemory(url);
      const entry = await fetchDocument(url);
      return { contextUrl: null, document: entry.document, documentUrl: entry.documentUrl };
    },
    forget: (url) => void cache.delete(url),
  };
}
