import { Migration } from "@mikro-orm/migrations";

/** Peering state, blocked hosts, and where each stored version came from. */
export class Migration003Peers extends Migration {
  override up(): void {
    this.addSql(`create table peers (
      actor_id text primary key not null,
      host text not null,
      handle text null,
      name text null,
      inbox text null,
      shared_inbox text null,
      outbox text null,
      we_follow text not null default 'none',
      our_follow_id text null,
      they_follow text not null default 'none',
      their_follow_id text null,
      last_seen text null,
      last_error text null,
      last_error_at text null,
      backfill_state text not null default 'idle',
      backfill_done integer not null default 0,
      backfill_total integer not null default 0,
      backfill_cursor text null,
      created_at text not null,
      updated_at text not null
    )`);
    this.addSql("create index peers_host_idx on peers (host)");
    this.addSql(
      "create table blocked_hosts (host text primary key not null, reason text null, created_at text not null)",
    );
    // JSON: { via, receivedAt, kid } for peers' versions; {} for local ones.
    this.addSql("alter table item_versions add column provenance text not null default '{}'");
    this.addSql("create index items_origin_idx on items (origin)");
  }
}
