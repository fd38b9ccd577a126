import canonicalize from "canonicalize";
import {
  base64url,
  calculateJwkThumbprint,
  CompactSign,
  decodeProtectedHeader,
  flattenedVerify,
  importJWK,
  type CryptoKey,
  type JWK,
} from "jose";

/** The one JWS algorithm WeGO Exchange signs with. */
export const JWS_ALG = "EdDSA";

/** A private signing key with the `kid` it is published under. */
export interface SigningKey {
  readonly kid: string;
  readonly key: CryptoKey;
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
  | { readonly ok: true; readonly kid: string }
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
export async function signDetachedJws(document: unknown, signer: SigningKey): Promise<string> {
  const jws = await new CompactSign(canonicalBytes(document))
    .setProtectedHeader({ alg: JWS_ALG, kid: signer.kid })
    .sign(signer.key);
  const [header, , signature] = jws.split(".");
  return `${header}..${signature}`;
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
export async function verifyDetachedJws(
  document: unknown,
  jws: string,
  keys: readonly JWK[],
): Promise<JwsCheck> {
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
  let payload: Uint8Array;
  try {
    payload = canonicalBytes(document);
  } catch {
    return { ok: false, reason: "document is not JSON", kid };
  }
  try {
    const key = await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, JWS_ALG);
    await flattenedVerify(
      { protected: parts[0], payload: base64url.encode(payload), signature: parts[2] },
      key,
      { algorithms: [JWS_ALG] },
    );
    return { ok: true, kid };
  } catch {
    return { ok: false, reason: "signature does not match the document", kid };
  }
}
