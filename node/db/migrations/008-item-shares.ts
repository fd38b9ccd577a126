import { Migration } from "@mikro-orm/migrations";

/**
 * Shares (boosts) of this city's items by actors anywhere on the fediverse: an `Announce`
 * of a local item, counted on the item's page. One row per item and actor (a repeat
 * replaces the activity id); an `Undo` of the Announce removes it.
 */
export class Migration008ItemShares extends Migration {
  override up(): void {
    this.addSql(`create table item_shares (
      item_id text not null,
      actor_id text not null,
      activity_id text not null,
      shared_at text not null,
      primary key (item_id, actor_id)
    )`);
    this.addSql("create index item_shares_activity_idx on item_shares (activity_id)");
  }
}
