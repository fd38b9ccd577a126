import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where Debian's `postgresql` package puts the server binaries (PostgreSQL 15 on Debian 12). */
export const PG_BIN = process.env.WEGO_PG_BIN ?? "/usr/lib/postgresql/15/bin";

/** A throwaway PostgreSQL cluster in a temporary folder, for tests and benchmarks. */
export interface PgCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`: trust authentication on loopback only. */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  stop(): void;
}

/** Why no cluster can be started here, or null when one can. */
export function pgUnavailableReason(): string | null {
  if (!existsSync(join(PG_BIN, "initdb")) || !existsSync(join(PG_BIN, "pg_ctl")))
    return `no PostgreSQL server binaries under ${PG_BIN} (apt-get install -y postgresql)`;
  if (process.getuid?.() === 0) {
    try {
      execFileSync("id", ["-u", "postgres"], { stdio: "ignore" });
    } catch {
      return "running as root and there is no postgres user to run the server as";
    }
  }
  return null;
}

/** A port nothing listens on right now (the kernel's choice). */
async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Runs a PostgreSQL binary: as the `postgres` user when this process is root (the server
 * refuses to run as root), else as this user.
 */
function runPg(binary: string, args: string[]): void {
  const command = join(PG_BIN, binary);
  if (process.getuid?.() === 0) execFileSync("runuser", ["-u", "postgres", "--", command, ...args], { stdio: "pipe" });
  else execFileSync(command, args, { stdio: "pipe" });
}

/**
 * Starts a fresh cluster (`initdb`, `pg_ctl start`) on a free loopback port under a new
 * temporary folder; `stop()` shuts it down fast and removes the folder. Durability is off
 * (`fsync=off`: the cluster lives as long as one test run) unless `durable` is set, as a
 * benchmark comparing it with SQLite does.
 */
export async function startPgCluster(options: { readonly durable?: boolean } = {}): Promise<PgCluster> {
  const reason = pgUnavailableReason();
  if (reason) throw new Error(`cannot start PostgreSQL: ${reason}`);
  const dir = mkdtempSync(join(tmpdir(), "wego-pg-"));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  runPg("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
  const port = await freePort();
  const durability = options.durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200${durability}`;
  runPg("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), "-o", serverOptions, "-w", "-t", "60", "start"]);
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        runPg("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The part of `pg` used here. */
interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}

/** Makes a new empty database on the cluster at `serverUrl` and returns its URL. */
export async function freshPostgresDatabase(serverUrl: string): Promise<string> {
  const { Client } = createRequire(import.meta.url)("pg") as {
    Client: new (options: { connectionString: string }) => PgClient;
  };
  const name = `wego_t_${randomBytes(6).toString("hex")}`;
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
