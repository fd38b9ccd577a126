import type { KeyRow } from "./entities.ts";
import { isSealed, secretBoxOf } from "./secret-box.ts";

// How a private JWK is kept in a `keys` row: sealed under the data folder's
// key-encryption key, bound to the row's kid (a sealed key copied into another row does
// not open). A retired key's private half is wiped (""): nothing signs with it again.

/** What a retired key's `privateJwk` holds: nothing. */
export const WIPED_PRIVATE_JWK = "";

/** The stored form of a private JWK for the row named `kid` of a database opened by `openDatabase`. */
export function sealPrivateJwk(orm: object, kid: string, jwk: object): string {
  return secretBoxOf(orm).seal(JSON.stringify(jwk), `keys:${kid}`);
}

/**
 * The private JWK of a key row, or null when it was wiped (a retired key). Rows still in
 * plain (written before encryption at rest) are read as they are; `openDatabase` seals them.
 */
export function openPrivateJwk(orm: object, row: Pick<KeyRow, "kid" | "privateJwk">): JsonWebKey | null {
  if (row.privateJwk === WIPED_PRIVATE_JWK) return null;
  const text = isSealed(row.privateJwk) ? secretBoxOf(orm).open(row.privateJwk, `keys:${row.kid}`) : row.privateJwk;
  return JSON.parse(text) as JsonWebKey;
}
