import { openDatabase, type Orm } from "../../node/db/orm.ts";
import { freshPostgresDatabase, pgUnavailableReason, startPgCluster } from "../../node/db/pg-cluster.ts";
import type { TestDatabase } from "../../node/db/test-databases.ts";

// The databases a benchmark runs on, side by side in one run (issue 15): BENCH_DATABASE=
// sqlite (the default), postgres, or both. PostgreSQL is the server at BENCH_DATABASE_URL
// (a superuser URL: each node gets a database of its own on it) or else a throwaway
// cluster started for the run with durability on, as SQLite's `synchronous = full` is.

/** One database a benchmark runs on. */
export interface BenchDatabase {
  readonly name: "sqlite" | "postgres";
  /** The `--database` URL of a new node (a fresh database on PostgreSQL), undefined on SQLite (its data folder). */
  newDatabaseUrl(): Promise<string | undefined>;
}

/** The databases chosen by BENCH_DATABASE, and how to stop what was started for them. */
export interface BenchDatabases {
  readonly list: readonly BenchDatabase[];
  /** Where PostgreSQL came from, for the report. */
  readonly postgresNote: string | null;
  close(): void;
}

const SQLITE: BenchDatabase = { name: "sqlite", newDatabaseUrl: async () => undefined };

/** Reads BENCH_DATABASE and BENCH_DATABASE_URL; starts a cluster when PostgreSQL is asked for without a URL. */
export async function benchDatabases(env: NodeJS.ProcessEnv = process.env): Promise<BenchDatabases> {
  const wanted = env.BENCH_DATABASE ?? "sqlite";
  if (!["sqlite", "postgres", "both"].includes(wanted))
    throw new Error(`BENCH_DATABASE must be sqlite, postgres or both, got ${wanted}`);
  if (wanted === "sqlite") return { list: [SQLITE], postgresNote: null, close() {} };
  let server = env.BENCH_DATABASE_URL;
  let stop = () => {};
  let postgresNote = `PostgreSQL at ${server ? new URL(server).host : ""}`;
  if (!server) {
    const reason = pgUnavailableReason();
    if (reason) throw new Error(`BENCH_DATABASE=${wanted} needs PostgreSQL: ${reason} (or set BENCH_DATABASE_URL)`);
    const cluster = await startPgCluster({ durable: true });
    server = cluster.url;
    stop = () => cluster.stop();
    postgresNote = "PostgreSQL: a cluster started for this run on loopback, fsync and synchronous commits on";
  }
  const serverUrl = server;
  const postgres: BenchDatabase = { name: "postgres", newDatabaseUrl: () => freshPostgresDatabase(serverUrl) };
  return { list: wanted === "both" ? [SQLITE, postgres] : [postgres], postgresNote, close: stop };
}

/** A {@link TestDatabase} for `createTestLibrary` that opens every data folder on `databaseUrl` (or SQLite). */
export function testDatabaseOn(name: BenchDatabase["name"], databaseUrl: string | undefined): TestDatabase {
  return {
    name,
    skip: null,
    open: (dataDir = ":memory:"): Promise<Orm> => openDatabase({ dataDir, databaseUrl }),
    databaseUrlOf: () => databaseUrl,
  };
}

/** The `wego` flags that put a node on `databaseUrl` (none for SQLite). */
export function databaseArgs(databaseUrl: string | undefined): string[] {
  return databaseUrl ? ["--database", databaseUrl] : [];
}
