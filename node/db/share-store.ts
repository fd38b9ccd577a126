import type { Orm } from "./orm.ts";

/** Shares (boosts) of local items by remote actors (`item_shares`). */
export interface ShareStore {
  /** Records that `actorId` shared `itemId` with activity `activityId` (a repeat replaces the activity). */
  record(itemId: string, actorId: string, activityId: string): Promise<void>;
  /** Removes the share made by `activityId` of `actorId` (an Undo); whether there was one. */
  remove(actorId: string, activityId: string): Promise<boolean>;
  /** How many actors shared `itemId`. */
  count(itemId: string): Promise<number>;
  /** Removes every share of `itemId` (the item was deleted). */
  clear(itemId: string): Promise<void>;
}

/** The share store over the node's database. */
export function createShareStore(orm: Pick<Orm, "em">): ShareStore {
  const knex = () => orm.em.getKnex();
  return {
    async record(itemId, actorId, activityId) {
      await knex().raw(
        `insert into item_shares (item_id, actor_id, activity_id, shared_at) values (?, ?, ?, ?)
         on conflict (item_id, actor_id) do update set activity_id = excluded.activity_id`,
        [itemId, actorId, activityId, new Date().toISOString()],
      );
    },
    async remove(actorId, activityId) {
      const removed = await knex()("item_shares").where({ actor_id: actorId, activity_id: activityId }).delete();
      return removed > 0;
    },
    async count(itemId) {
      const row = (await knex()("item_shares").where({ item_id: itemId }).count({ n: "*" }).first()) as
        | { n: number | string }
        | undefined;
      return Number(row?.n ?? 0);
    },
    async clear(itemId) {
      await knex()("item_shares").where({ item_id: itemId }).delete();
    },
  };
}
