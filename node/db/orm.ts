import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { MikroORM } from "@mikro-orm/sqlite";
import { Migrator } from "@mikro-orm/migrations";
import { entities } from "./entities.ts";
import { Migration001Initial } from "./migrations/001-initial.ts";
import { Migration002FederationStore } from "./migrations/002-federation-store.ts";
import { Migration003Peers } from "./migrations/003-peers.ts";
import { Migration004WebSessions } from "./migrations/004-web-sessions.ts";

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** The node's data folder; the database is `<dataDir>/wego.sqlite`. `":memory:"` opens a private in-memory database (tests). */
  readonly dataDir: string;
  /** Log every SQL statement (default false). */
  readonly debug?: boolean;
}

/** The ORM type the node uses everywhere. */
export type Orm = MikroORM;

/** Every migration, in order; append only. */
const migrations = [
  { name: "001-initial", class: Migration001Initial },
  { name: "002-federation-store", class: Migration002FederationStore },
  { name: "003-peers", class: Migration003Peers },
  { name: "004-web-sessions", class: Migration004WebSessions },
];

/**
 * Opens (creating if needed) the node's SQLite database, switches it to WAL with
 * full synchronous commits, and applies pending migrations.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Orm> {
  let dbName = ":memory:";
  if (options.dataDir !== ":memory:") {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    dbName = join(options.dataDir, "wego.sqlite");
  }
  const orm = await MikroORM.init({
    dbName,
    entities,
    extensions: [Migrator],
    migrations: { migrationsList: migrations, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    debug: options.debug ?? false,
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: true },
    // One connection: SQLite serialises writers anyway, and pragmas are per connection.
    pool: { min: 1, max: 1 },
  });
  const conn = orm.em.getConnection();
  if (dbName !== ":memory:") await conn.execute("pragma journal_mode = wal");
  // FULL: a committed version survives power loss, not only a process crash.
  await conn.execute("pragma synchronous = full");
  await conn.execute("pragma busy_timeout = 10000");
  await conn.execute("pragma foreign_keys = on");
  await orm.getMigrator().up();
  return orm;
}
