import { importJwk, signJsonLd, type MessageQueue } from "@fedify/fedify";
import type { DocumentLoader } from "@fedify/fedify/runtime";
import canonicalize from "canonicalize";

// Fedify 1.5.9 compacts the Public collection to "as:Public" in every document it writes.
// To a JSON-LD processor that is the same IRI, but software that compares strings (snac,
// and others) only knows the full URI, and takes an item addressed to "as:Public" for a
// direct message: no boost, not on public pages. So the JSON that leaves the node (queued
// deliveries, documents served) names the full URI in its audience fields, and a delivery's
// signatures are made again over what is actually sent.

/** The Public collection, as every implementation reads it. */
export const PUBLIC_URI = "https://www.w3.org/ns/activitystreams#Public";

const AUDIENCE_KEYS = new Set(["to", "cc", "bto", "bcc", "audience"]);
const SHORT_FORMS = new Set(["as:Public"]);
/** Nesting read at most: activities embed an object, which embeds little more. */
const MAX_DEPTH = 8;

function fullAudience(value: unknown): { value: unknown; changed: boolean } {
  if (typeof value === "string")
    return SHORT_FORMS.has(value) ? { value: PUBLIC_URI, changed: true } : { value, changed: false };
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = fullAudience(v);
      changed ||= r.changed;
      return r.value;
    });
    return { value: out, changed };
  }
  return { value, changed: false };
}

function rewrite(value: unknown, depth: number): { value: unknown; changed: boolean } {
  if (depth > MAX_DEPTH || !value || typeof value !== "object") return { value, changed: false };
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = rewrite(v, depth + 1);
      changed ||= r.changed;
      return r.value;
    });
    return changed ? { value: out, changed } : { value, changed: false };
  }
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    // The context says what "as:" means; its own "Public" term stays as it is.
    const r =
      key === "@context"
        ? { value: v, changed: false }
        : AUDIENCE_KEYS.has(key)
          ? fullAudience(v)
          : rewrite(v, depth + 1);
    changed ||= r.changed;
    out[key] = r.value;
  }
  return changed ? { value: out, changed } : { value, changed: false };
}

/**
 * The compact JSON-LD document with "as:Public" written as the full Public URI in `to`,
 * `cc`, `bto`, `bcc` and `audience`, at any depth (an activity and the object it embeds).
 * The RDF it means is unchanged (so Linked Data Signatures still verify); `changed` says
 * whether anything was rewritten.
 */
export function withFullPublicAddress<T>(document: T): { document: T; changed: boolean } {
  const r = rewrite(document, 0);
  return { document: r.value as T, changed: r.changed };
}

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** Base58btc (the multibase `z` alphabet), for a proof's value; small enough not to need a package. */
function base58btc(bytes: Uint8Array): string {
  let n = BigInt(`0x${Buffer.from(bytes).toString("hex") || "0"}`);
  let out = "";
  while (n > 0n) {
    out = BASE58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    out = `1${out}`;
  }
  return out;
}

const sha256 = async (text: string) =>
  new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));

/**
 * The activity's Object Integrity Proof (eddsa-jcs-2022, FEP-8b32) made again over the
 * rewritten JSON, with the key and `created` of the proof Fedify made: the receiver checks
 * the JSON as delivered (without its `signature` and `proof`). Null when the key is not in
 * the message (the proof then goes).
 */
async function proofFor(
  activity: Record<string, unknown>,
  proof: Record<string, unknown>,
  keys: readonly { keyId?: unknown; privateKey?: JsonWebKey }[],
): Promise<Record<string, unknown> | null> {
  const method = proof.verificationMethod;
  const jwk = keys.find((k) => k.keyId === method && k.privateKey?.crv === "Ed25519")?.privateKey;
  if (proof.cryptosuite !== "eddsa-jcs-2022" || typeof method !== "string" || !jwk) return null;
  const key = await importJwk(jwk, "private");
  const { proof: _proof, signature: _signature, ...message } = activity;
  const config = {
    "@context": activity["@context"],
    type: "DataIntegrityProof",
    cryptosuite: "eddsa-jcs-2022",
    verificationMethod: method,
    proofPurpose: "assertionMethod",
    created: proof.created,
  };
  const digest = Buffer.concat([await sha256(canonicalize(config)!), await sha256(canonicalize(message)!)]);
  const signature = new Uint8Array(await crypto.subtle.sign("Ed25519", key, digest));
  return { ...proof, proofValue: `z${base58btc(signature)}` };
}

type MessageKey = { keyId?: unknown; privateKey?: JsonWebKey };

/**
 * The activity as it leaves the node: full Public URI, its proof made again over the new
 * JSON, then its RSA Linked Data Signature made again (it covers the proof too).
 */
async function rewriteActivity(
  original: Record<string, unknown>,
  keys: readonly MessageKey[],
  contextLoader: DocumentLoader,
): Promise<Record<string, unknown> | null> {
  const { document, changed } = withFullPublicAddress(original);
  if (!changed) return null;
  const { proof, signature, ...activity } = document;
  const proofs = await Promise.all(
    [proof ?? []]
      .flat()
      .map((p) => (p && typeof p === "object" ? proofFor(document, p as Record<string, unknown>, keys) : null)),
  );
  const kept = proofs.filter((p): p is Record<string, unknown> => p !== null);
  const proved = kept.length === 0 ? activity : { ...activity, proof: kept.length === 1 ? kept[0] : kept };
  const creator = (signature as { creator?: unknown } | undefined)?.creator;
  const rsa = keys.find((k) => k.keyId === creator && k.privateKey?.kty === "RSA")?.privateKey;
  if (typeof creator !== "string" || !rsa) return proved;
  return (await signJsonLd(proved, await importJwk(rsa, "private"), new URL(creator), { contextLoader })) as Record<
    string,
    unknown
  >;
}

/**
 * Wraps Fedify's queue so that every delivery it enqueues names the full Public URI. The
 * same activity is queued once per inbox: the last few rewritten are remembered by their
 * original proof, so each is signed again once.
 */
export function addressPublicInFull(queue: MessageQueue, contextLoader: DocumentLoader): MessageQueue {
  const done = new Map<string, Promise<Record<string, unknown> | null>>();
  async function rewriteMessage(message: unknown): Promise<unknown> {
    const m = message as { type?: unknown; activity?: unknown; keys?: unknown } | null;
    if (m?.type !== "outbox" || !m.activity || typeof m.activity !== "object") return message;
    const original = m.activity as Record<string, unknown>;
    const keys = Array.isArray(m.keys) ? (m.keys as MessageKey[]) : [];
    const key = JSON.stringify([original.id, original.proof ?? null, original.signature ?? null]);
    let rewritten = done.get(key);
    if (!rewritten) {
      rewritten = rewriteActivity(original, keys, contextLoader);
      done.set(key, rewritten);
      if (done.size > 64) done.delete(done.keys().next().value!);
    }
    const activity = await rewritten;
    return activity ? { ...m, activity } : message;
  }
  const wrapped: MessageQueue = {
    enqueue: async (message, options) => queue.enqueue(await rewriteMessage(message), options),
    listen: (handler, options) => queue.listen(handler, options),
  };
  if (queue.enqueueMany)
    wrapped.enqueueMany = async (messages, options) =>
      queue.enqueueMany!(await Promise.all(messages.map(rewriteMessage)), options);
  return wrapped;
}
