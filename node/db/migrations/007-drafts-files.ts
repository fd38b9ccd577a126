import { Migration } from "@mikro-orm/migrations";

/**
 * Drafts (an official's unpublished, unsigned work) and files uploaded for datasets'
 * distributions. Drafts live apart from `items` and `item_versions`, so nothing that reads
 * the library (search, feeds, federation, exports, sitemaps) can ever see one.
 */
export class Migration007DraftsFiles extends Migration {
  override up(): void {
    // id: random, never the would-be public id. item_id/base_version: set when the draft
    // holds pending edits of a published item (the version the edits started from).
    this.addSql(`create table drafts (
      id text primary key not null,
      type text not null,
      title text not null,
      item_id text null,
      base_version integer null,
      document text not null,
      owner text not null,
      owner_name text not null,
      created_at text not null,
      updated_at text not null
    )`);
    this.addSql("create index drafts_owner_idx on drafts (owner, updated_at)");
    // sha256: the content address (lowercase hex). published_at: null until an item that
    // names the file is published; until then the file is not served.
    this.addSql(`create table uploaded_files (
      sha256 text primary key not null,
      byte_size integer not null,
      media_type text not null,
      created_at text not null,
      published_at text null
    )`);
  }
}
