import { exportJwk, generateCryptoKeyPair, importJwk } from "@fedify/fedify";
import { calculateJwkThumbprint, type JWK } from "jose";
import type { Orm } from "../db/orm.ts";
import type { KeyRow } from "../db/entities.ts";
import { currentActorKeyRow, insertActorKeyRow, replaceActorKeyRows } from "../db/actor-key-rows.ts";
import { openPrivateJwk, sealPrivateJwk } from "../db/key-rows.ts";

const PURPOSES = [
  // HTTP Signatures (draft-cavage): what every fediverse server checks.
  { purpose: "http-rsa", algorithm: "RSASSA-PKCS1-v1_5", kty: "RSA" },
  // Object Integrity Proofs (FEP-8b32) on activities.
  { purpose: "http-ed25519", algorithm: "Ed25519", kty: "OKP" },
] as const;

/** One current key of the city actor, as loaded from the `keys` table. */
interface ActorKey {
  readonly kid: string;
  readonly kty: string;
  /** RFC 7638 thumbprint of the public key: what a queued delivery names it by. */
  readonly thumbprint: string;
  readonly privateJwk: JsonWebKey;
  readonly pair: CryptoKeyPair;
}

/** What the city actor's keys look like to peers: the thumbprints of its public keys, in order. */
export interface ActorKeyFingerprint {
  readonly thumbprints: readonly string[];
}

/** Outcome of {@link rotateActorKeys}. */
export interface ActorKeyRotation {
  readonly retired: readonly string[];
  readonly created: readonly string[];
}

// One load per database handle, shared by the actor dispatcher and the queue's key
// resolver, so a process signs with exactly the keys its actor document publishes.
const loads = new WeakMap<Orm, Promise<ActorKey[]>>();

function thumbprintOf(jwk: JsonWebKey): Promise<string> {
  return calculateJwkThumbprint(jwk as JWK, "sha256");
}

async function newRow(
  purpose: string,
  algorithm: "RSASSA-PKCS1-v1_5" | "Ed25519",
  orm: Orm,
  now: string,
): Promise<KeyRow> {
  const pair = await generateCryptoKeyPair(algorithm);
  const kid = `${purpose}-${now}`;
  return {
    kid,
    purpose,
    publicJwk: JSON.stringify(await exportJwk(pair.publicKey)),
    // Sealed under the data folder's key-encryption key: a database copy alone cannot sign.
    privateJwk: sealPrivateJwk(orm, kid, await exportJwk(pair.privateKey)),
    createdAt: now,
    retiredAt: null,
  };
}

async function load(orm: Orm): Promise<ActorKey[]> {
  const keys: ActorKey[] = [];
  for (const { purpose, algorithm, kty } of PURPOSES) {
    let row = await currentActorKeyRow(orm, purpose);
    if (!row) {
      row = await newRow(purpose, algorithm, orm, new Date().toISOString());
      await insertActorKeyRow(orm, row);
    }
    const privateJwk = openPrivateJwk(orm, row);
    if (!privateJwk) throw new TypeError(`the current actor key ${row.kid} has no private half`);
    const publicJwk = JSON.parse(row.publicJwk) as JsonWebKey;
    keys.push({
      kid: row.kid,
      kty,
      thumbprint: await thumbprintOf(publicJwk),
      privateJwk,
      pair: { publicKey: await importJwk(publicJwk, "public"), privateKey: await importJwk(privateJwk, "private") },
    });
  }
  return keys;
}

function loadOnce(orm: Orm): Promise<ActorKey[]> {
  let loaded = loads.get(orm);
  if (!loaded) {
    loaded = load(orm).catch((error: unknown) => {
      loads.delete(orm);
      throw error;
    });
    loads.set(orm, loaded);
  }
  return loaded;
}

/**
 * The city actor's key pairs (RSA, then Ed25519), generated once and kept in the
 * database: peers cache public keys, so they must survive restarts. Loaded once per
 * database handle (a process) and cached: `wego keys rotate --http` takes effect when
 * the node next starts.
 */
export function createActorKeys(orm: Orm): () => Promise<CryptoKeyPair[]> {
  return async () => (await loadOnce(orm)).map((k) => k.pair);
}

/** The fingerprint of the keys this process's actor document publishes. */
export async function actorKeyFingerprint(orm: Orm): Promise<ActorKeyFingerprint> {
  return { thumbprints: (await loadOnce(orm)).map((k) => k.thumbprint) };
}

/**
 * Replaces the city actor's HTTP-signature key pairs (RSA and Ed25519) with new ones in
 * one transaction. The old rows stay as retired, their private half wiped. A node already
 * running keeps the keys it loaded until it restarts; it then announces the new ones.
 */
export async function rotateActorKeys(orm: Orm): Promise<ActorKeyRotation> {
  const now = new Date().toISOString();
  // Generated before the transaction: RSA generation takes a while and SQLite has one writer.
  const rows = await Promise.all(PURPOSES.map(({ purpose, algorithm }) => newRow(purpose, algorithm, orm, now)));
  const retired = await replaceActorKeyRows(
    orm,
    PURPOSES.map((p) => p.purpose),
    rows,
    now,
  );
  loads.delete(orm);
  return { retired, created: rows.map((r) => r.kid) };
}

/** Names private keys in stored messages by reference and finds them again. */
export interface QueueKeyResolver {
  /** A reference to a private key (not secret), stored instead of the key. */
  referenceOf(privateKey: JsonWebKey): Promise<string>;
  /**
   * The private key a reference names, `current: true`; else the current key of the same
   * type (`kty`), `current: false`; null when there is none.
   */
  resolve(
    reference: string,
    kty: string,
  ): Promise<{ readonly privateKey: JsonWebKey; readonly current: boolean } | null>;
}

/**
 * What the durable queue stores instead of the actor's private keys: their thumbprint.
 * A delivery queued under a key that was rotated away since is signed with the current
 * key of the same type (and so the same key id): the old key is no longer published, so
 * a peer would refuse its signature anyway, and dropping the delivery would lose the
 * item until the peer's next catch-up.
 */
export function createQueueKeyResolver(orm: Orm): QueueKeyResolver {
  return {
    referenceOf: (privateKey) => thumbprintOf(privateKey),
    async resolve(reference, kty) {
      const keys = await loadOnce(orm);
      const same = keys.find((k) => k.thumbprint === reference);
      if (same) return { privateKey: same.privateJwk, current: true };
      const replacement = keys.find((k) => k.kty === kty);
      return replacement ? { privateKey: replacement.privateJwk, current: false } : null;
    },
  };
}
