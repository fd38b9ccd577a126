import type { EntityManager } from "@mikro-orm/sqlite";
import { createItemStore, type ItemWithVersion, type PagePosition } from "./item-store.ts";

// Temporary, for node/federation only (another engineer is splitting federation/service.ts
// under issue 9): federation.ts and service.ts still import these. Delete this file once
// they read through node/library/feed.ts; every query lives in item-store.ts.

export type { PagePosition };

/** @deprecated Use {@link createItemStore}`.get`, or the library's `get`. */
export function selectItemWithVersion(
  em: EntityManager,
  id: string,
  version?: number,
): Promise<ItemWithVersion | null> {
  return createItemStore({ em }).get(id, version);
}

/** @deprecated Use `createLocalFeed().page` (node/library/feed.ts). */
export function selectLocalPage(
  em: EntityManager,
  after: PagePosition | null,
  limit: number,
): Promise<ItemWithVersion[]> {
  return createItemStore({ em }).localPage(after, limit);
}

/** @deprecated Use `createLocalFeed().count` (node/library/feed.ts). */
export function countLocalEntries(em: EntityManager): Promise<number> {
  return createItemStore({ em }).countLocal();
}

/** @deprecated Use `createLocalFeed().versionsAfter` (node/library/feed.ts). */
export function selectLocalVersionsAfter(
  em: EntityManager,
  seq: number,
  limit: number,
): Promise<(ItemWithVersion & { seq: number })[]> {
  return createItemStore({ em }).localVersionsAfter(seq, limit);
}
