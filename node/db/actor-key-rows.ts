import { Key, type KeyRow } from "./entities.ts";
import { WIPED_PRIVATE_JWK } from "./key-rows.ts";
import type { Orm } from "./orm.ts";

// The city actor's HTTP-signature keys in the `keys` table: one current row per purpose,
// retired rows kept with their private half wiped. Generating, sealing and loading them
// is federation/actor-keys.ts's; the document-signing keys are key-store.ts's.

/** The current (not retired, newest) key row of `purpose`, or null. */
export function currentActorKeyRow(orm: Orm, purpose: string): Promise<KeyRow | null> {
  return orm.em.fork().findOne(Key, { purpose, retiredAt: null }, { orderBy: { createdAt: "desc" } });
}

/** Stores a new key row as it is. */
export async function insertActorKeyRow(orm: Orm, row: KeyRow): Promise<void> {
  await orm.em.fork().insert(Key, row);
}

/**
 * Retires the current rows of `purposes` at `now` (their private half wiped) and inserts
 * `rows`, in one transaction; returns the kids retired.
 */
export async function replaceActorKeyRows(
  orm: Orm,
  purposes: readonly string[],
  rows: readonly KeyRow[],
  now: string,
): Promise<string[]> {
  return orm.em.fork().transactional(async (em) => {
    const retired = (await em.find(Key, { purpose: { $in: [...purposes] }, retiredAt: null })).map((r) => r.kid);
    await em.nativeUpdate(
      Key,
      { purpose: { $in: [...purposes] }, retiredAt: null },
      { retiredAt: now, privateJwk: WIPED_PRIVATE_JWK },
    );
    for (const row of rows) await em.insert(Key, row);
    return retired;
  });
}
