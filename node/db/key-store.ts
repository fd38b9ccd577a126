import { generateEd25519, signingKeyOf, type KeyStore } from "../signing/keys.ts";
import type { PublicJwk, SigningKey } from "../signing/jws.ts";
import { Key, type KeyRow } from "./entities.ts";
import { openPrivateJwk, sealPrivateJwk, WIPED_PRIVATE_JWK } from "./key-rows.ts";
import type { Orm } from "./orm.ts";

/** The purpose of the document-signing keys in the `keys` table. */
export const DOCUMENT_KEY_PURPOSE = "jws";

/** Options of {@link createKeyStore}. */
export interface KeyStoreOptions {
  readonly orm: Orm;
}

/** Creates the key store over the node's database. */
export function createKeyStore(options: KeyStoreOptions): KeyStore {
  const { orm } = options;
  // The running node and `wego keys rotate` share the database, so the current key is
  // re-read from it rather than cached for the life of the process.
  let cached: SigningKey | undefined;

  async function insertNew(retirePrevious: boolean): Promise<KeyRow> {
    const { publicJwk, privateJwk } = await generateEd25519();
    const now = new Date().toISOString();
    const row: KeyRow = {
      kid: publicJwk.kid,
      purpose: DOCUMENT_KEY_PURPOSE,
      publicJwk: JSON.stringify(publicJwk),
      // Sealed under the data folder's key-encryption key: a database copy alone cannot sign.
      privateJwk: sealPrivateJwk(orm, publicJwk.kid, privateJwk),
      createdAt: now,
      retiredAt: null,
    };
    await orm.em.fork().transactional(async (em) => {
      if (retirePrevious) {
        // Retired keys stay published (old signatures still verify) but never sign again: their private half goes.
        await em.nativeUpdate(
          Key,
          { purpose: DOCUMENT_KEY_PURPOSE, retiredAt: null },
          { retiredAt: now, privateJwk: WIPED_PRIVATE_JWK },
        );
      } else if ((await em.count(Key, { purpose: DOCUMENT_KEY_PURPOSE, retiredAt: null })) > 0) {
        return;
      }
      await em.insert(Key, row);
    });
    return row;
  }

  async function currentRow(): Promise<KeyRow> {
    const em = orm.em.fork();
    const row = await em.findOne(
      Key,
      { purpose: DOCUMENT_KEY_PURPOSE, retiredAt: null },
      { orderBy: { createdAt: "desc" } },
    );
    if (row) return row;
    await insertNew(false);
    return currentRow();
  }

  return {
    async current() {
      const row = await currentRow();
      if (cached?.kid !== row.kid) {
        const jwk = openPrivateJwk(orm, row);
        if (!jwk) throw new TypeError(`the current signing key ${row.kid} has no private half`);
        cached = signingKeyOf(row.kid, jwk);
      }
      return cached;
    },
    async publicKeys() {
      await currentRow();
      const rows = await orm.em.fork().find(Key, { purpose: DOCUMENT_KEY_PURPOSE }, { orderBy: { createdAt: "desc" } });
      // Current first, then retired keys newest first.
      rows.sort((a, b) => Number(a.retiredAt != null) - Number(b.retiredAt != null));
      return rows.map((r) => JSON.parse(r.publicJwk) as PublicJwk);
    },
    async rotate() {
      const row = await insertNew(true);
      return JSON.parse(row.publicJwk) as PublicJwk;
    },
  };
}
