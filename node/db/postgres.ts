import { createRequire } from "node:module";
import type { Options } from "@mikro-orm/core";

/** The part of the `pg` module used here (it ships no types of its own). */
interface PgModule {
  types: { setTypeParser(oid: number, parse: (text: string) => unknown): void };
}

/** PostgreSQL's type id of `bigint` (int8), which `pg` returns as a string by default. */
const INT8_OID = 20;

/**
 * `bigint` (Unix milliseconds, identity keys, `count(*)`) read back as a JS number, as SQLite
 * gives it: every such value the node stores is far below 2^53; one that is not is an error,
 * never a silently rounded number.
 */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${text} is beyond what a JS number holds exactly`);
  return n;
}

let parsersSet = false;

/**
 * Opens the node's store on PostgreSQL (`postgres://…`) with the same entities and
 * migrations as SQLite. A pool of connections: unlike SQLite's single one, a query outside
 * a transaction does not wait for it (and does not see its uncommitted rows).
 */
export async function openPostgres<Orm>(url: string, options: Omit<Options, "driver" | "clientUrl">): Promise<Orm> {
  if (!parsersSet) {
    (createRequire(import.meta.url)("pg") as PgModule).types.setTypeParser(INT8_OID, parseInt8);
    parsersSet = true;
  }
  const { MikroORM } = await import("@mikro-orm/postgresql");
  const orm = await MikroORM.init({ ...options, clientUrl: url, pool: { min: 0, max: 10 } });
  return orm as unknown as Orm;
}
