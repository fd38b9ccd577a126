import { Migration } from "@mikro-orm/migrations";
import { linkRows, type LinkColumns } from "../item-links.ts";

/** How many items the backfill reads at a time: memory stays bounded on a large library. */
const PAGE = 500;

/**
 * The links between items (item-links.ts), so that a page lists what points at its item
 * with one indexed read; backfilled from every live item's current version.
 */
export class Migration006ItemLinks extends Migration {
  override async up(): Promise<void> {
    await this.execute(`create table item_links (
      source_id text not null references items (id) on delete cascade,
      target_id text not null,
      rel text not null,
      primary key (source_id, rel, target_id)
    )`);
    await this.execute("create index item_links_target_idx on item_links (target_id)");
    let after = "";
    for (;;) {
      const rows = (await this.execute(
        `select i.id, v.document from items i join item_versions v on v.item_id = i.id and v.version = i.version
          where i.id > ? and i.deleted = 0 order by i.id limit ?`,
        [after, PAGE],
      )) as { id: string; document: string }[];
      if (rows.length === 0) break;
      after = rows.at(-1)!.id;
      const links: LinkColumns[] = rows.flatMap((r) => linkRows(r.id, r.document));
      for (let i = 0; i < links.length; i += 300) {
        const chunk = links.slice(i, i + 300);
        await this.execute(
          `insert into item_links (source_id, target_id, rel) values ${chunk.map(() => "(?, ?, ?)").join(", ")}`,
          chunk.flatMap((l) => [l.source_id, l.target_id, l.rel]),
        );
      }
    }
  }
}
