import { Migration } from "@mikro-orm/migrations";
import { typesOf } from "./dialect.ts";

/** The first schema: items with their versions, tokens, users, keys, meta. */
export class Migration001Initial extends Migration {
  override up(): void {
    const t = typesOf(this);
    this.addSql(`create table items (
      id text primary key not null,
      type text not null,
      origin text not null,
      local integer not null,
      version integer not null,
      title text not null,
      city text not null,
      language text not null,
      published text not null,
      updated text not null,
      deleted integer not null default 0,
      verified integer not null,
      created_at text not null
    )`);
    this.addSql("create index items_updated_idx on items (deleted, updated desc)");
    this.addSql("create index items_type_idx on items (type, deleted, updated desc)");
    this.addSql("create index items_city_idx on items (city, deleted, updated desc)");
    this.addSql(`create table item_versions (
      seq ${t.serial} not null,
      item_id text not null references items (id) on delete cascade,
      version integer not null,
      document text not null,
      jws text not null,
      html text not null,
      author text not null,
      changed text not null,
      created_at text not null
    )`);
    this.addSql("create unique index item_versions_item_version_uq on item_versions (item_id, version)");
    this.addSql(`create table tokens (
      id ${t.serial} not null,
      hash text not null unique,
      role text not null,
      name text not null,
      created_at text not null,
      last_used_at text null,
      revoked_at text null
    )`);
    this.addSql(`create table users (
      id ${t.serial} not null,
      username text not null unique,
      password_hash text not null,
      role text not null,
      created_at text not null
    )`);
    this.addSql(`create table keys (
      kid text primary key not null,
      purpose text not null,
      public_jwk text not null,
      private_jwk text not null,
      created_at text not null,
      retired_at text null
    )`);
    this.addSql("create table meta (key text primary key not null, value text not null)");
  }
}
