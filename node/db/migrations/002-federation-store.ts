import { Migration } from "@mikro-orm/migrations";
import { typesOf } from "./dialect.ts";

/** Fedify's key-value store and its durable message queue (node/db/fedify-kv.ts; the queue: node/federation/queue.ts over node/db/queue-table.ts). */
export class Migration002FederationStore extends Migration {
  override up(): void {
    const t = typesOf(this);
    // key: JSON of Fedify's KvKey array; value: JSON; expires_at: Unix ms, null = never.
    this.addSql(`create table fedify_kv (
      key text primary key not null,
      value text not null,
      expires_at ${t.millis} null
    )`);
    this.addSql("create index fedify_kv_expires_at_idx on fedify_kv (expires_at) where expires_at is not null");
    // One row per pending message; deleted once its handler has succeeded. Times are Unix ms.
    // locked_until: the lease of the worker handling it; null or past = claimable.
    this.addSql(`create table fedify_queue (
      id ${t.serial} not null,
      message text not null,
      deliver_at ${t.millis} not null,
      attempts integer not null default 0,
      locked_until ${t.millis} null,
      last_error text null,
      created_at ${t.millis} not null
    )`);
    this.addSql("create index fedify_queue_deliver_at_idx on fedify_queue (deliver_at, id)");
  }
}
