import type { JWK } from "jose";
import { parseBoundedJson } from "../net/json-bounds.ts";
import type { Outbound } from "../net/outbound.ts";
import { jwsKeyId, verifyDetachedJws } from "./jws.ts";
import { readSignedItemOfJson } from "./signed-item.ts";

/** Outcome of {@link verifyRemoteItem}: what was checked, and the first thing that failed. */
export type RemoteVerification =
  | {
      readonly ok: true;
      readonly id: string;
      readonly type: string;
      readonly version: number;
      readonly origin: string;
      readonly kid: string;
      /** The document's RFC 8785 canonical JSON: the payload that verified. */
      readonly canonical: string;
    }
  | { readonly ok: false; readonly reason: string; readonly id?: string; readonly origin?: string };

/**
 * The caller's check of a document's content (its schema): signing knows no schema, so
 * the domain hands it in. Each issue names where in the document it is.
 */
export type DocumentCheck = (
  document: Record<string, unknown>,
) =>
  | { readonly ok: true }
  | { readonly ok: false; readonly details: readonly { readonly path: string; readonly message: string }[] };

/** Options of {@link verifyRemoteItem}. */
export interface VerifyRemoteOptions {
  /** Schema check for the document (skipped for Tombstones). */
  readonly checkDocument: DocumentCheck;
  /** The outbound guard every fetch goes through (address policy, redirects, byte budget). */
  readonly outbound: Outbound;
  /** Per-request timeout in ms (default 10 s). */
  readonly timeoutMs?: number;
}

const MAX_BYTES = 4 * 1024 * 1024;

async function fetchJson(
  url: URL,
  accept: string,
  options: Pick<VerifyRemoteOptions, "outbound" | "timeoutMs">,
  maxBytes = MAX_BYTES,
): Promise<{ ok: true; json: unknown; url: URL } | { ok: false; reason: string }> {
  // Redirects are not followed: an origin answers for its own URLs.
  const response = await options.outbound.fetch(url, {
    headers: { accept },
    maxRedirects: 0,
    maxBytes,
    timeoutMs: options.timeoutMs ?? 10_000,
  });
  if (!response.ok) return response;
  if (response.status >= 300 && response.status < 400)
    return { ok: false, reason: `${url.href} redirects elsewhere; an origin must answer for its own URLs` };
  if (response.status >= 400 && response.status !== 410)
    return { ok: false, reason: `${url.href} answered HTTP ${response.status}` };
  const parsed = parseBoundedJson(response.body.toString("utf8"), { maxNodes: 200_000, maxDepth: 24 });
  return parsed.ok ? { ok: true, json: parsed.value, url } : { ok: false, reason: `${url.href}: ${parsed.reason}` };
}

/** Where a verifier gets an origin's published keys; `kid` lets a cache refetch on an unknown key. */
export type KeyLoader = (
  origin: string,
  kid: string | null,
) => Promise<{ ok: true; keys: JWK[] } | { ok: false; reason: string }>;

/** Options of {@link verifySignedDocument}. */
export interface VerifySignedOptions {
  /** Schema check for the document (skipped for Tombstones). */
  readonly checkDocument: DocumentCheck;
  /** The origin's published keys. */
  readonly loadKeys: KeyLoader;
}

/**
 * Checks a signed document as a receiver must, trusting nothing about who delivered it:
 * its id, its `attributedTo` and the signing key all belong to one origin; the detached
 * JWS verifies against that origin's published keys; and the document satisfies its
 * schema (or is a well-formed Tombstone).
 */
export async function verifySignedDocument(
  document: Record<string, unknown>,
  jws: string,
  options: VerifySignedOptions,
): Promise<RemoteVerification> {
  const id = typeof document.id === "string" ? document.id : undefined;
  if (!id) return { ok: false, reason: "the document has no id" };
  let origin: string;
  try {
    const url = new URL(id);
    if (url.protocol !== "https:" && url.protocol !== "http:")
      return { ok: false, reason: "the document id is not an http(s) URL", id };
    origin = url.origin;
  } catch {
    return { ok: false, reason: "the document id is not a URL", id };
  }
  if (
    typeof document.attributedTo !== "string" ||
    !URL.canParse(document.attributedTo) ||
    new URL(document.attributedTo).origin !== origin
  ) {
    return { ok: false, reason: "the document is attributed to an actor of another origin", id, origin };
  }
  if (!Number.isInteger(document.version) || (document.version as number) < 1)
    return { ok: false, reason: "the document has no valid version", id, origin };
  const keys = await options.loadKeys(origin, jwsKeyId(jws));
  if (!keys.ok) return { ok: false, reason: keys.reason, id, origin };
  const check = await verifyDetachedJws(document, jws, keys.keys);
  if (!check.ok) return { ok: false, reason: check.reason, id, origin };
  if (document.type === "Tombstone") {
    if (typeof document.deleted !== "string" || typeof document.formerType !== "string")
      return { ok: false, reason: "the Tombstone lacks deleted or formerType", id, origin };
  } else {
    const valid = options.checkDocument(document);
    if (!valid.ok)
      return {
        ok: false,
        reason: `the signed document breaks its schema: ${valid.details.map((d) => `${d.path} ${d.message}`).join("; ")}`,
        id,
        origin,
      };
  }
  return {
    ok: true,
    id,
    type: String(document.type),
    version: Number(document.version),
    origin,
    kid: check.kid,
    canonical: check.canonical,
  };
}

/** Fetches an origin's `/.well-known/jwks.json` (no cache). */
export async function fetchJwks(
  origin: string,
  options: Pick<VerifyRemoteOptions, "outbound" | "timeoutMs">,
): Promise<{ ok: true; keys: JWK[] } | { ok: false; reason: string }> {
  const jwks = await fetchJson(
    new URL("/.well-known/jwks.json", origin),
    "application/jwk-set+json, application/json",
    options,
    256 * 1024,
  );
  if (!jwks.ok) return jwks;
  const keys = (jwks.json as { keys?: unknown })?.keys;
  if (!Array.isArray(keys)) return { ok: false, reason: `${origin} publishes no JWKS keys` };
  return { ok: true, keys: keys.filter((k): k is JWK => !!k && typeof k === "object").slice(0, 100) };
}

/**
 * Fetches an item from anywhere (its own URL or any node's `/api/items?id=`), then checks
 * it with {@link verifySignedDocument}, fetching the keys from the document's origin.
 */
export async function verifyRemoteItem(target: string, options: VerifyRemoteOptions): Promise<RemoteVerification> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { ok: false, reason: `${target} is not a URL` };
  }
  const fetched = await fetchJson(url, "application/activity+json, application/json;q=0.9", options);
  if (!fetched.ok) return fetched;
  const answer = readSignedItemOfJson(fetched.json);
  if (!answer.ok) return { ok: false, reason: "the answer carries no signed document (document and jws)" };
  const { document, jws } = answer.signed;
  // Fetched from its own origin, the id must be the very URL asked for.
  if (
    typeof document.id === "string" &&
    URL.canParse(document.id) &&
    url.origin === new URL(document.id).origin &&
    url.pathname.startsWith("/items/") &&
    document.id !== url.href
  ) {
    return { ok: false, reason: `the origin answered ${url.href} with another item (${document.id})` };
  }
  return verifySignedDocument(document, jws, {
    checkDocument: options.checkDocument,
    loadKeys: (origin) => fetchJwks(origin, options),
  });
}
