import { verifyRequest, type KeyCache } from "@fedify/fedify";
import type { DocumentLoader } from "@fedify/fedify/runtime";
import { isActor, Object as APObject, type CryptographicKey, type Multikey } from "@fedify/fedify/vocab";
import { LRUCache } from "lru-cache";
import type { Logger } from "../log.ts";
import { checkJsonBounds, parseBoundedJson, type JsonBounds } from "../net/json-bounds.ts";
import { createRateBuckets } from "./rate-buckets.ts";
import { linkHref } from "./vocab.ts";

/** Options of {@link createInboxDoor}. */
export interface InboxDoorOptions {
  readonly documentLoader: DocumentLoader;
  readonly contextLoader: DocumentLoader;
  /**
   * Loads key documents for signature checks without a document cache (default
   * `documentLoader`): the door caches keys itself, and a key that fails to verify must
   * be refetched for real (the peer may have rotated it under the same id).
   */
  readonly keyLoader?: DocumentLoader;
  /** Drops a document from the loader's cache (a key the cached actor lacks: refetch once). */
  readonly forget: (url: string) => void;
  readonly logger: Logger;
  /** Why activities from `host` are refused (blocked, not on the allowlist), or null. */
  readonly refuseHost: (host: string) => Promise<string | null>;
  /** Largest inbox body in bytes (default 1 MiB); larger ones get 413 unread. */
  readonly maxBytes?: number;
  /** Shape limits on an inbox body (default depth 12, 20,000 values, 500 keys an object, `@context` only in the activity and its object). */
  readonly bounds?: JsonBounds;
  /** Activities one host may deliver per second, sustained (default 200), … */
  readonly ratePerSecond?: number;
  /** … and in a burst (default ten seconds' worth). */
  readonly burst?: number;
  /** Inbox requests checked at once; more get 503 (default 64). */
  readonly maxInFlight?: number;
  /**
   * Per-host token buckets shared by every process on the database (PostgreSQL); default:
   * in this process's memory.
   */
  readonly sharedBuckets?: (perSecond: number, burst: number) => { take(host: string): Promise<boolean> };
}

/** What the door decided: let the activity through (with its body), or answer now. */
export type DoorDecision =
  | {
      readonly ok: true;
      readonly body: Uint8Array;
      readonly activity: Readonly<Record<string, unknown>>;
      readonly actor: URL;
      readonly keyId: URL;
      readonly type: string;
    }
  | {
      readonly ok: false;
      readonly status: 400 | 401 | 403 | 413 | 429 | 503;
      readonly reason: string;
      readonly retryAfter?: number;
    };

/** The inbox's first check, before Fedify parses anything. */
export interface InboxDoor {
  /**
   * Reads the body (within the byte limit, from the stream), bounds its shape, verifies
   * the HTTP signature, and proves that the signing key belongs to the activity's actor:
   * the key is on the actor's origin and the actor's own document lists it.
   */
  check(request: {
    readonly url: URL;
    readonly method: string;
    readonly headers: Headers;
    readonly body: AsyncIterable<Uint8Array>;
  }): Promise<DoorDecision>;
  /** Forgets an actor's document, the given keys and every ownership proof of the actor. */
  forget(actorId: string, keyIds: readonly string[]): void;
}

/** The one activity a refused host may still deliver: its handler answers it with a Reject. */
const FOLLOW = "Follow";

/** Reads at most `max` bytes of a stream; null when it is longer. */
async function readAtMost(body: AsyncIterable<Uint8Array>, max: number): Promise<Uint8Array | null> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > max) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Builds the inbox door. Fedify 1.5.9 runs JSON-LD processing of a body before it checks
 * the HTTP signature, and trusts a key document's `owner` without asking the owner; this
 * door does both checks first, so Fedify only ever sees activities whose actor is proven.
 */
export function createInboxDoor(options: InboxDoorOptions): InboxDoor {
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const bounds: JsonBounds = { maxDepth: 12, maxNodes: 20_000, maxKeys: 500, maxContextDepth: 2, ...options.bounds };
  const rate = options.ratePerSecond ?? 200;
  const burst = options.burst ?? rate * 10;
  const maxInFlight = options.maxInFlight ?? 64;
  const keys = new LRUCache<string, { key: CryptographicKey | Multikey | null }>({ max: 5_000, ttl: 10 * 60_000 });
  const keyCache: KeyCache = {
    get: async (keyId) => keys.get(keyId.href)?.key,
    set: async (keyId, key) => {
      // A key that could not be fetched is remembered briefly, so a flood cannot make us refetch it each time.
      keys.set(keyId.href, { key }, key === null ? { ttl: 60_000 } : undefined);
    },
  };
  const proofs = new LRUCache<string, true>({ max: 5_000, ttl: 10 * 60_000 });
  const hosts = options.sharedBuckets?.(rate, burst) ?? createRateBuckets({ perSecond: rate, burst, maxKeys: 20_000 });
  let inFlight = 0;

  async function actorListsKey(actorId: string, keyId: string, refetch: boolean): Promise<boolean> {
    if (refetch) options.forget(actorId);
    let document: unknown;
    try {
      ({ document } = await options.documentLoader(actorId));
    } catch {
      return false;
    }
    const actor = await APObject.fromJsonLd(document, {
      documentLoader: options.documentLoader,
      contextLoader: options.contextLoader,
    }).catch(() => null);
    if (!actor || !isActor(actor) || actor.id?.href !== actorId) return false;
    return (
      actor.publicKeyIds.some((id) => id.href === keyId) || actor.assertionMethodIds.some((id) => id.href === keyId)
    );
  }

  async function proveOwner(actorId: string, keyId: string): Promise<boolean> {
    const proof = `${keyId} ${actorId}`;
    if (proofs.has(proof)) return true;
    // The actor may have just rotated its keys: a cached document without the key is refetched once.
    const listed = (await actorListsKey(actorId, keyId, false)) || (await actorListsKey(actorId, keyId, true));
    if (listed) proofs.set(proof, true);
    return listed;
  }

  async function decide(request: Parameters<InboxDoor["check"]>[0]): Promise<DoorDecision> {
    const refuse = (status: 400 | 401 | 403 | 413 | 429, reason: string): DoorDecision => ({
      ok: false,
      status,
      reason,
    });
    const declared = Number(request.headers.get("content-length") ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes)
      return refuse(413, `the body is larger than ${maxBytes} bytes`);
    const body = await readAtMost(request.body, maxBytes);
    if (!body) return refuse(413, `the body is larger than ${maxBytes} bytes`);
    // Embedded contexts are bounded once the signatures embedded in the object are gone:
    // an Accept or Undo that quotes our own Follow quotes its proof and signature too, each
    // with its @context (snac does), and nobody reads those (the HTTP signature decides).
    const parsed = parseBoundedJson(Buffer.from(body).toString("utf8"), { ...bounds, maxContextDepth: undefined });
    if (!parsed.ok) return refuse(400, parsed.reason);
    const delivered = parsed.value as Record<string, unknown> | null;
    if (!delivered || typeof delivered !== "object" || Array.isArray(delivered))
      return refuse(400, "the body is not an activity object");
    const json = withoutObjectSignatures(delivered);
    const shapeRefused = checkJsonBounds(json, bounds);
    if (shapeRefused) return refuse(400, shapeRefused);
    const type = typeof json.type === "string" ? json.type : null;
    const actorId = linkHref(json.actor);
    if (!type || !actorId || !URL.canParse(actorId)) return refuse(400, "the activity names no type or no actor");
    const actor = new URL(actorId);
    const activityId = linkHref(json.id);
    if (activityId !== null && (!URL.canParse(activityId) || new URL(activityId).origin !== actor.origin))
      return refuse(400, "the activity's id is not on its actor's origin");
    const host = actor.host.toLowerCase();
    // Refused before any key is fetched: whether or not the claim is true, nothing from
    // that host is taken. A Follow still reaches its handler, which answers it with a Reject.
    const refusedHost = type === FOLLOW ? null : await options.refuseHost(host);
    if (refusedHost) return refuse(403, refusedHost);
    const signed = new Request(request.url, {
      method: request.method,
      headers: request.headers,
      body: body as unknown as BodyInit,
    });
    const key = await verifyRequest(signed, {
      documentLoader: options.keyLoader ?? options.documentLoader,
      contextLoader: options.contextLoader,
      keyCache,
    }).catch(() => null);
    if (!key?.id) return refuse(401, "the HTTP signature does not verify");
    if (key.id.origin !== actor.origin) return refuse(401, "the signing key is not on the actor's origin");
    const owner = key.ownerId;
    if (owner && owner.href !== actor.href) return refuse(401, "the signing key belongs to another actor");
    if (!(await proveOwner(actor.href, key.id.href)))
      return refuse(401, "the actor's own document does not list the signing key");
    if (!(await hosts.take(host)))
      return { ok: false, status: 429, reason: `${host} is delivering too fast`, retryAfter: Math.ceil(1 / rate) + 1 };
    const passed = json === delivered ? body : Buffer.from(JSON.stringify(json));
    return { ok: true, body: passed, activity: json, actor, keyId: key.id, type };
  }

  return {
    forget(actorId, keyIds) {
      options.forget(actorId);
      for (const keyId of keyIds) {
        keys.delete(keyId);
        options.forget(keyId);
      }
      for (const proof of [...proofs.keys()]) if (proof.endsWith(` ${actorId}`)) proofs.delete(proof);
    },
    async check(request) {
      if (inFlight >= maxInFlight) return { ok: false, status: 503, reason: "the inbox is busy", retryAfter: 5 };
      inFlight++;
      try {
        const decision = await decide(request);
        if (!decision.ok)
          options.logger.info("inbox refused a request", {
            status: decision.status,
            reason: decision.reason,
            path: request.url.pathname,
          });
        return decision;
      } finally {
        inFlight--;
      }
    },
  };
}

/** The activity without the Linked Data Signature or proof its embedded object carries (the same object if none). */
function withoutObjectSignatures(activity: Record<string, unknown>): Record<string, unknown> {
  const object = activity.object;
  if (!object || typeof object !== "object" || Array.isArray(object)) return activity;
  if (!("signature" in object) && !("proof" in object)) return activity;
  const { signature: _signature, proof: _proof, ...rest } = object as Record<string, unknown>;
  return { ...activity, object: rest };
}
