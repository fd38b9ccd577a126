import type { Orm } from "./orm.ts";
import { rawRows } from "./sql.ts";

// The versions written to `item_versions`, in `seq` order: what a process follows to keep
// its search index in step with writes made by other processes on the same database
// (node/search/version-follower.ts).

/** One version row: its place in the sequence and the item and version it holds. */
export interface VersionSeq {
  readonly seq: number;
  readonly id: string;
  readonly version: number;
}

/** Most `seq` numbers asked for again in one read. */
const MAX_RECHECK = 500;

/**
 * The versions with `seq` above `after` (at most `limit`, oldest first), and those among
 * `recheck` (numbers below `after` that were not there at an earlier read) that are now.
 */
export async function versionsAfter(
  orm: Pick<Orm, "em">,
  after: number,
  recheck: readonly number[],
  limit: number,
): Promise<VersionSeq[]> {
  const knex = orm.em.getKnex();
  const out = await rawRows<VersionSeq>(
    knex,
    "select seq, item_id as id, version from item_versions where seq > ? order by seq limit ?",
    [after, limit],
  );
  const again = recheck.slice(0, MAX_RECHECK);
  if (again.length > 0)
    out.push(
      ...(await rawRows<VersionSeq>(
        knex,
        `select seq, item_id as id, version from item_versions where seq in (${again.map(() => "?").join(",")})`,
        again,
      )),
    );
  return out;
}
