import { createPrivateKey, type JsonWebKey as NodeJwk } from "node:crypto";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { JWS_ALG, keyIdOf, type PublicJwk, type SigningKey } from "./jws.ts";

/** The node's document-signing keys: the current one and every retired one. */
export interface KeyStore {
  /** The current signing key; generated and stored on first use. */
  current(): Promise<SigningKey>;
  /** Every public key, current first, for `/.well-known/jwks.json`. */
  publicKeys(): Promise<PublicJwk[]>;
  /** Makes a new current key; old keys stay published so old signatures still verify. */
  rotate(): Promise<PublicJwk>;
}

/** Generates a new Ed25519 key pair as JWKs, named by its thumbprint. */
export async function generateEd25519(): Promise<{ publicJwk: PublicJwk; privateJwk: JWK }> {
  const { publicKey, privateKey } = await generateKeyPair(JWS_ALG, { crv: "Ed25519", extractable: true });
  const pub = await exportJWK(publicKey);
  const kid = await keyIdOf(pub);
  const publicJwk: PublicJwk = { kty: "OKP", crv: "Ed25519", x: pub.x as string, kid, alg: "EdDSA", use: "sig" };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: JWS_ALG };
  return { publicJwk, privateJwk };
}

/** The signing key for a private JWK published under `kid`. */
export function signingKeyOf(kid: string, privateJwk: JsonWebKey): SigningKey {
  return { kid, key: createPrivateKey({ key: privateJwk as NodeJwk, format: "jwk" }) };
}
