/**
 * The floor every verified-ingest figure is compared with: raw `node:crypto` Ed25519
 * verification of the same signed payloads, on one thread, with the signing inputs built
 * before the clock starts (canonicalisation and base64url are the node's work, not the
 * floor's). A payload is `{document, jws}` with a detached compact JWS, as items travel.
 */
import { createPublicKey, type JsonWebKey, type KeyObject, verify } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { JWK } from "jose";
import { canonicalBytes } from "../../node/signing/jws.ts";

/** A signed item as it travels: the document and its detached JWS (`header..signature`). */
export interface SignedPayload {
  readonly document: unknown;
  readonly jws: string;
}

/** One signature check prepared ahead: the JWS signing input, the signature, the key. */
export interface PreparedCheck {
  readonly input: Buffer;
  readonly signature: Buffer;
  readonly key: KeyObject;
}

/** Builds the signing input of each payload and finds its key by `kid` among `keys` (public Ed25519 JWKs). */
export function prepareChecks(payloads: readonly SignedPayload[], keys: readonly JWK[]): PreparedCheck[] {
  const byKid = new Map(keys.map((k) => [k.kid, createPublicKey({ key: k as JsonWebKey, format: "jwk" })]));
  return payloads.map(({ document, jws }) => {
    const [header = "", , signature = ""] = jws.split(".");
    const { kid } = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as { kid?: string };
    const key = byKid.get(kid);
    if (!key) throw new TypeError(`no key ${kid} among the keys given`);
    const payload = Buffer.from(canonicalBytes(document)).toString("base64url");
    return { input: Buffer.from(`${header}.${payload}`), signature: Buffer.from(signature, "base64url"), key };
  });
}

/** How many of the checks pass (all of them, for payloads signed by the keys given). */
export function countValid(checks: readonly PreparedCheck[]): number {
  let valid = 0;
  for (const c of checks) if (verify(null, c.input, c.key, c.signature)) valid++;
  return valid;
}

/**
 * Verifications per second over `checks`, repeated until at least `minMs` have passed (so a
 * small set is still timed over a readable span). Throws if any check fails: a floor measured
 * on payloads that do not verify would measure nothing.
 */
export function rawVerifyRate(checks: readonly PreparedCheck[], minMs = 1000): number {
  if (checks.length === 0) throw new TypeError("rawVerifyRate() needs at least one payload");
  let done = 0;
  const t0 = performance.now();
  do {
    if (countValid(checks) !== checks.length) throw new Error("a payload does not verify with its key");
    done += checks.length;
  } while (performance.now() - t0 < minMs);
  return done / ((performance.now() - t0) / 1000);
}

/**
 * The signed payloads carried by Create activities as a peer POSTs them (each activity's
 * object has an attachment whose content is the `{document, jws}` JSON).
 */
export function payloadsOfActivities(bodies: readonly string[]): SignedPayload[] {
  return bodies.map((body) => {
    const activity = JSON.parse(body) as { object?: { attachment?: unknown } };
    const attachments = [activity.object?.attachment].flat() as { content?: unknown }[];
    for (const a of attachments) {
      if (typeof a?.content !== "string") continue;
      const payload = JSON.parse(a.content) as Partial<SignedPayload>;
      if (payload.document && typeof payload.jws === "string") return payload as SignedPayload;
    }
    throw new TypeError("an activity carries no signed payload");
  });
}
