import { exportJwk, generateCryptoKeyPair, importJwk } from "@fedify/fedify";
import type { Orm } from "../db/orm.ts";
import { Key } from "../db/entities.ts";

const PURPOSES = [
  // HTTP Signatures (draft-cavage): what every fediverse server checks.
  { purpose: "http-rsa", algorithm: "RSASSA-PKCS1-v1_5" },
  // Object Integrity Proofs (FEP-8b32) on activities.
  { purpose: "http-ed25519", algorithm: "Ed25519" },
] as const;

/**
 * The city actor's key pairs (RSA, then Ed25519), generated once and kept in the
 * database: peers cache public keys, so they must survive restarts. Loaded once per
 * process and cached.
 */
export function createActorKeys(orm: Orm): () => Promise<CryptoKeyPair[]> {
  let loaded: Promise<CryptoKeyPair[]> | undefined;
  async function load(): Promise<CryptoKeyPair[]> {
    const pairs: CryptoKeyPair[] = [];
    for (const { purpose, algorithm } of PURPOSES) {
      const em = orm.em.fork();
      let row = await em.findOne(Key, { purpose, retiredAt: null });
      if (!row) {
        const pair = await generateCryptoKeyPair(algorithm);
        const now = new Date().toISOString();
        row = {
          kid: `${purpose}-${now}`,
          purpose,
          publicJwk: JSON.stringify(await exportJwk(pair.publicKey)),
          privateJwk: JSON.stringify(await exportJwk(pair.privateKey)),
          createdAt: now,
          retiredAt: null,
        };
        await em.insert(Key, row);
      }
      pairs.push({
        publicKey: await importJwk(JSON.parse(row.publicJwk) as JsonWebKey, "public"),
        privateKey: await importJwk(JSON.parse(row.privateJwk) as JsonWebKey, "private"),
      });
    }
    return pairs;
  }
  return () => (loaded ??= load().catch((error) => {
    loaded = undefined;
    throw error;
  }));
}
