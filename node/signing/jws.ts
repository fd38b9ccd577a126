import { createPublicKey, KeyObject, sign as signWithNode, verify as verifyWithNode } from "node:crypto";
import canonicalize from "canonicalize";
import { calculateJwkThumbprint, decodeProtectedHeader, type CryptoKey, type JWK } from "jose";

/** The one JWS algorithm WeGO Exchange signs with. */
export const JWS_ALG = "EdDSA";

/** A private signing key with the `kid` it is published under. */
export interface SigningKey {
  readonly kid: string;
  readonly key: CryptoKey | KeyObject;
}

/** A public Ed25519 JWK as published in `/.well-known/jwks.json`. */
export interface PublicJwk extends JWK {
  readonly kty: "OKP";
  readonly crv: "Ed25519";
  readonly x: string;
  readonly kid: string;
  readonly alg: "EdDSA";
  readonly use: "sig";
}

/** Outcome of {@link verifyDetachedJws}. */
export type JwsCheck =
  | {
      readonly ok: true;
      readonly kid: string;
      /** The RFC 8785 canonical JSON of the document: the payload that verified. */
      readonly canonical: string;
    }
  | { readonly ok: false; readonly reason: string; readonly kid?: string };

const encoder = new TextEncoder();

/** RFC 8785 (JCS) canonical bytes of a JSON document: the signed payload. */
export function canonicalBytes(document: unknown): Uint8Array {
  const text = canonicalize(document);
  if (text === undefined) throw new TypeError("canonicalBytes() needs a JSON value");
  return encoder.encode(text);
}

/** The `kid` of a public JWK: its RFC 7638 thumbprint. */
export function keyIdOf(jwk: JWK): Promise<string> {
  return calculateJwkThumbprint(jwk, "sha256");
}

/**
 * Signs the canonical form of `document` and returns a compact JWS with a detached
 * payload (`header..signature`, RFC 7515 appendix F).
 */
export function signDetachedJws(document: unknown, signer: SigningKey): Promise<string> {
  return signCanonicalPayload(canonicalBytes(document), signer);
}

/** As {@link signDetachedJws}, for a payload already in canonical form (signed as given). */
export async function signCanonicalPayload(canonical: Uint8Array, signer: SigningKey): Promise<string> {
  // The JWS signing input is built here and signed with node:crypto: on Node 20 jose
  // base64url-encodes payloads in JavaScript, which cost more than the signature itself
  // for 15 KB documents. The output is plain RFC 7515; tests verify it with jose, with
  // node:crypto and with jwcrypto, and check RFC 8037's known answer.
  const header = Buffer.from(JSON.stringify({ alg: JWS_ALG, kid: signer.kid })).toString("base64url");
  const payload = Buffer.from(canonical.buffer, canonical.byteOffset, canonical.byteLength).toString("base64url");
  const key = signer.key instanceof KeyObject ? signer.key : KeyObject.from(signer.key);
  const signature = await new Promise<Buffer>((resolve, reject) => {
    signWithNode(null, Buffer.from(`${header}.${payload}`), key, (err, sig) => (err ? reject(err) : resolve(sig)));
  });
  return `${header}..${signature.toString("base64url")}`;
}

/** Reads the `kid` named in a detached JWS's protected header, or null if unreadable. */
export function jwsKeyId(jws: string): string | null {
  try {
    const header = decodeProtectedHeader(jws);
    return typeof header.kid === "string" ? header.kid : null;
  } catch {
    return null;
  }
}

/**
 * Checks a detached compact JWS over the canonical form of `document` against a set of
 * public keys. Never throws for bad input: a malformed JWS, an unknown `kid`, another
 * algorithm or a wrong signature are each a `{ ok: false, reason }`.
 */
export async function verifyDetachedJws(document: unknown, jws: string, keys: readonly JWK[]): Promise<JwsCheck> {
  if (typeof jws !== "string") return { ok: false, reason: "signature is not a string" };
  const parts = jws.split(".");
  if (parts.length !== 3 || parts[1] !== "" || !parts[0] || !parts[2]) {
    return { ok: false, reason: "signature is not a detached compact JWS (header..signature)" };
  }
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jws) as Record<string, unknown>;
  } catch {
    return { ok: false, reason: "signature header is not valid base64url JSON" };
  }
  const kid = typeof header.kid === "string" ? header.kid : undefined;
  if (header.alg !== JWS_ALG) return { ok: false, reason: `algorithm ${String(header.alg)} is not accepted`, kid };
  if (kid === undefined) return { ok: false, reason: "signature header names no kid" };
  if (header.crit !== undefined) return { ok: false, reason: "signature header has critical extensions", kid };
  const jwk = keys.find((k) => k.kid === kid);
  if (jwk === undefined) return { ok: false, reason: `key ${kid} is not published by the origin`, kid };
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519") return { ok: false, reason: `key ${kid} is not an Ed25519 key`, kid };
  // Canonicalised once here; the verified text goes on to the store with the document.
  const canonical = canonicalize(document);
  if (canonical === undefined) return { ok: false, reason: "document is not JSON", kid };
  const payload = Buffer.from(canonical, "utf8");
  let valid = false;
  try {
    // node:crypto rather than jose's flattenedVerify: same RFC 7515 check, but jose
    // base64url-encodes the payload in JavaScript on Node 20 (see signCanonicalPayload).
    const key = publicKeyOf(jwk);
    const input = Buffer.from(`${parts[0]}.${payload.toString("base64url")}`);
    const signature = Buffer.from(parts[2], "base64url");
    valid =
      signature.length === 64 &&
      (await new Promise<boolean>((resolve, reject) =>
        verifyWithNode(null, input, key, signature, (err, ok) => (err ? reject(err) : resolve(ok))),
      ));
  } catch {
    valid = false;
  }
  return valid ? { ok: true, kid, canonical } : { ok: false, reason: "signature does not match the document", kid };
}

const publicKeys = new Map<string, KeyObject>();

/** A cached node:crypto key for a public Ed25519 JWK. */
function publicKeyOf(jwk: JWK): KeyObject {
  const cacheKey = `${jwk.crv}:${jwk.x}`;
  let key = publicKeys.get(cacheKey);
  if (!key) {
    key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: String(jwk.x) }, format: "jwk" });
    if (publicKeys.size > 1000) publicKeys.clear();
    publicKeys.set(cacheKey, key);
  }
  return key;
}
