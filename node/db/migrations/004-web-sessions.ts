import { Migration } from "@mikro-orm/migrations";
import { typesOf } from "./dialect.ts";

/** Sessions of officials logged in to the web pages (node/http/session.ts). */
export class Migration004WebSessions extends Migration {
  override up(): void {
    const t = typesOf(this);
    // id: SHA-256 of the cookie's random secret, so a copy of the database logs no one in.
    // data: JSON of the session; expires_at: Unix ms.
    this.addSql(`create table web_sessions (
      id text primary key not null,
      data text not null,
      expires_at ${t.millis} not null
    )`);
    this.addSql("create index web_sessions_expires_at_idx on web_sessions (expires_at)");
  }
}
