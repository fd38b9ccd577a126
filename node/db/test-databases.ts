import { afterAll, beforeAll, describe } from "vitest";
import { openDatabase, type Orm } from "./orm.ts";
import { freshPostgresDatabase } from "./pg-cluster.ts";

export { freshPostgresDatabase };

/** The PostgreSQL cluster of this test run (pg-global-setup.ts), if there is one. */
export const testPostgresUrl: string | undefined = process.env.WEGO_TEST_DATABASE_URL;

/** One of the databases a store test runs against. */
export interface TestDatabase {
  readonly name: "sqlite" | "postgres";
  /** Why this database is not tested here (printed as the skipped suite's name), or null. */
  readonly skip: string | null;
  /**
   * Opens a migrated store: a fresh empty one for `":memory:"` (the default); for a data
   * folder, the same store each time that folder is opened again (a restart), its secret
   * key in the folder. On PostgreSQL each folder gets a database of its own.
   */
  open(dataDir?: string): Promise<Orm>;
  /** The `databaseUrl` a data folder opened here uses (for another process to open it too); undefined on SQLite. */
  databaseUrlOf(dataDir: string): string | undefined;
}

/**
 * SQLite (in memory) and PostgreSQL (a new database on the run's cluster): a store test
 * runs `describe.each(TEST_DATABASES)` and skips the second when no cluster is running.
 */
const postgresOfFolder = new Map<string, string>();

export const TEST_DATABASES: readonly TestDatabase[] = [
  {
    name: "sqlite",
    skip: null,
    open: (dataDir = ":memory:") => openDatabase({ dataDir }),
    databaseUrlOf: () => undefined,
  },
  {
    name: "postgres",
    skip: testPostgresUrl ? null : "no PostgreSQL for this run (see the warning at its start)",
    async open(dataDir = ":memory:") {
      if (!testPostgresUrl) throw new Error("no PostgreSQL for this run");
      let databaseUrl = dataDir === ":memory:" ? undefined : postgresOfFolder.get(dataDir);
      if (!databaseUrl) {
        databaseUrl = await freshPostgresDatabase(testPostgresUrl);
        if (dataDir !== ":memory:") postgresOfFolder.set(dataDir, databaseUrl);
      }
      return openDatabase({ dataDir, databaseUrl });
    },
    databaseUrlOf: (dataDir) => postgresOfFolder.get(dataDir),
  },
];

/** The database of the {@link describeEachDatabase} suite running now (SQLite outside one). */
let active: TestDatabase = TEST_DATABASES[0]!;

/** The database the running suite is on: for a test file's helpers outside the suite's body. */
export function activeDatabase(): TestDatabase {
  return active;
}

/**
 * `describe(title)` once per database, named `title [sqlite]` and `title [postgres]`; the
 * PostgreSQL one is skipped, with the reason in its name, when this run has no cluster.
 * While a suite runs, {@link activeDatabase} answers its database.
 */
export function describeEachDatabase(title: string, body: (database: TestDatabase) => void): void {
  for (const database of TEST_DATABASES) {
    const name = database.skip
      ? `${title} [${database.name}: skipped, ${database.skip}]`
      : `${title} [${database.name}]`;
    describe.skipIf(database.skip !== null)(name, () => {
      beforeAll(() => {
        active = database;
      });
      afterAll(() => {
        active = TEST_DATABASES[0]!;
      });
      body(database);
    });
  }
}
