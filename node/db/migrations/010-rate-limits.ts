import { Migration } from "@mikro-orm/migrations";
import { onPostgres, typesOf } from "./dialect.ts";

/**
 * Rate limits shared by the processes of one PostgreSQL database (node/db/rate-limits.ts):
 * the inbox door's per-host token buckets and the failed-login counters. A SQLite node is
 * one process and keeps its limits in memory: this migration creates nothing there (it is
 * recorded all the same, so both databases list the same migrations).
 */
export class Migration010RateLimits extends Migration {
  override up(): void {
    if (!onPostgres(this)) return;
    const t = typesOf(this);
    // key: "<limit>:<host, address or account>". amount: tokens left (a bucket) or failures
    // counted (a window); at_ms: the last change; until_ms: when the row stops mattering
    // (the bucket is full again, the window has passed), after which it may be deleted.
    // granted: whether the last take got a token (1) or not (0).
    this.addSql(`create table rate_limits (
      key text primary key not null,
      amount double precision not null,
      at_ms ${t.millis} not null,
      until_ms ${t.millis} not null,
      granted integer not null
    )`);
    this.addSql("create index rate_limits_until_idx on rate_limits (until_ms)");
  }
}
