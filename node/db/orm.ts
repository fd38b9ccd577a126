import { chmodSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { MikroORM } from "@mikro-orm/sqlite";
import { Migrator } from "@mikro-orm/migrations";
import { entities } from "./entities.ts";
import { Migration001Initial } from "./migrations/001-initial.ts";
import { Migration002FederationStore } from "./migrations/002-federation-store.ts";
import { Migration003Peers } from "./migrations/003-peers.ts";
import { Migration004WebSessions } from "./migrations/004-web-sessions.ts";
import { Migration005AccountState } from "./migrations/005-account-state.ts";
import { Migration006ItemLinks } from "./migrations/006-item-links.ts";
import { Migration007DraftsFiles } from "./migrations/007-drafts-files.ts";
import { Migration008ItemShares } from "./migrations/008-item-shares.ts";
import { Migration009Assessments } from "./migrations/009-assessments.ts";
import { Migration010RateLimits } from "./migrations/010-rate-limits.ts";
import { openPostgres } from "./postgres.ts";
import { sealPrivateJwk, WIPED_PRIVATE_JWK } from "./key-rows.ts";
import {
  attachSecretBox,
  createSecretBox,
  isSealed,
  loadSecretKey,
  parseSecretKey,
  SECRET_KEY_FILE,
  SecretKeyError,
  type SecretBox,
} from "./secret-box.ts";

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** The node's data folder; the database is `<dataDir>/wego.sqlite`. `":memory:"` opens a private in-memory database (tests). */
  readonly dataDir: string;
  /**
   * A `postgres://` URL: the store lives in that PostgreSQL database instead of
   * `<dataDir>/wego.sqlite` (the secret key still comes from `dataDir`).
   */
  readonly databaseUrl?: string;
  /** Log every SQL statement (default false). */
  readonly debug?: boolean;
  /**
   * The key-encryption key for private keys at rest (WEGO_SECRET_KEY: 32 bytes, hex or
   * base64url). Default: `<dataDir>/secret.key`, made on first open; a random key for
   * `":memory:"`.
   */
  readonly secretKey?: string;
}

/** The ORM type the node uses everywhere. */
export type Orm = MikroORM;

/** Every migration, in order; append only. */
const migrations = [
  { name: "001-initial", class: Migration001Initial },
  { name: "002-federation-store", class: Migration002FederationStore },
  { name: "003-peers", class: Migration003Peers },
  { name: "004-web-sessions", class: Migration004WebSessions },
  { name: "005-account-state", class: Migration005AccountState },
  { name: "006-item-links", class: Migration006ItemLinks },
  { name: "007-drafts-files", class: Migration007DraftsFiles },
  { name: "008-item-shares", class: Migration008ItemShares },
  { name: "009-assessments", class: Migration009Assessments },
  { name: "010-rate-limits", class: Migration010RateLimits },
];

/** The database file and the files SQLite keeps beside it in WAL mode. */
const DATABASE_FILES = ["wego.sqlite", "wego.sqlite-wal", "wego.sqlite-shm"];

/** Only the node's user may enter the data folder or read its database files (whatever an older version or a copy left). */
function restrictPermissions(dataDir: string): void {
  chmodSync(dataDir, 0o700);
  for (const name of DATABASE_FILES) {
    const file = join(dataDir, name);
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}

/**
 * Seals every private key still stored in plain (rows written before encryption at rest),
 * wipes the private half of retired keys, and checks that sealed ones open with this
 * key-encryption key: a wrong key stops the start here, not at the first signature.
 * Idempotent; runs at every open.
 */
async function sealKeysAtRest(orm: Orm, box: SecretBox): Promise<void> {
  const knex = orm.em.getKnex();
  const rows = (await knex("keys").select("kid", "private_jwk", "retired_at")) as {
    kid: string;
    private_jwk: string;
    retired_at: string | null;
  }[];
  for (const row of rows) {
    if (row.private_jwk === WIPED_PRIVATE_JWK) continue;
    if (row.retired_at != null) {
      await knex("keys").where("kid", row.kid).update({ private_jwk: WIPED_PRIVATE_JWK });
    } else if (isSealed(row.private_jwk)) {
      box.open(row.private_jwk, `keys:${row.kid}`);
    } else {
      await knex("keys")
        .where("kid", row.kid)
        .update({ private_jwk: sealPrivateJwk(orm, row.kid, JSON.parse(row.private_jwk) as object) });
    }
  }
}

/**
 * Opens (creating if needed) the node's SQLite database, switches it to WAL with
 * full synchronous commits, and applies pending migrations; with `databaseUrl`, the
 * PostgreSQL database it names instead (same entities and migrations). At every open the data
 * folder is set to 0700 and the database files to 0600, and private keys still stored
 * in plain are sealed under the key-encryption key (see `secret-box.ts`).
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Orm> {
  let dbName = ":memory:";
  let kek: Buffer;
  let createdKeyFile: string | null = null;
  if (options.dataDir !== ":memory:") {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    // Before SQLite opens the file: it gives -wal and -shm the main file's mode.
    restrictPermissions(options.dataDir);
    if (!options.databaseUrl) dbName = join(options.dataDir, "wego.sqlite");
    ({ key: kek, createdFile: createdKeyFile } = loadSecretKey({
      dataDir: options.dataDir,
      secretKey: options.secretKey,
    }));
  } else {
    const given = options.secretKey === undefined ? randomBytes(32) : parseSecretKey(options.secretKey);
    if (!given)
      throw new SecretKeyError("the secret key must be 32 bytes, as 64 hex digits or 43 base64url characters");
    kek = given;
  }
  const ormOptions = {
    entities,
    extensions: [Migrator],
    migrations: { migrationsList: migrations, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    debug: options.debug ?? false,
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: true },
  };
  if (options.databaseUrl) {
    dbName = options.databaseUrl.replace(/\/\/[^@/]*@/, "//");
    const orm = await openPostgres<Orm>(options.databaseUrl, ormOptions);
    return finishOpen(orm, kek, createdKeyFile, dbName);
  }
  const orm = await MikroORM.init({
    dbName,
    ...ormOptions,
    // One connection: SQLite serialises writers anyway, and pragmas are per connection.
    pool: { min: 1, max: 1 },
  });
  const conn = orm.em.getConnection();
  if (dbName !== ":memory:") {
    // A new database file gets the umask's mode (often 0644): narrow it before the WAL files exist.
    await conn.execute("pragma busy_timeout = 10000");
    restrictPermissions(options.dataDir);
    await conn.execute("pragma journal_mode = wal");
  }
  // FULL: a committed version survives power loss, not only a process crash.
  await conn.execute("pragma synchronous = full");
  await conn.execute("pragma busy_timeout = 10000");
  await conn.execute("pragma foreign_keys = on");
  await finishOpen(orm, kek, createdKeyFile, dbName);
  if (dbName !== ":memory:") restrictPermissions(options.dataDir);
  return orm;
}

/** Migrates, attaches the secret box and seals keys at rest: the same on both databases. */
async function finishOpen(orm: Orm, kek: Buffer, createdKeyFile: string | null, dbName: string): Promise<Orm> {
  await orm.getMigrator().up();
  const box = createSecretBox(kek);
  attachSecretBox(orm, box);
  try {
    await sealKeysAtRest(orm, box);
  } catch (error) {
    await orm.close();
    if (error instanceof SecretKeyError && createdKeyFile) {
      // A fresh secret.key beside keys sealed under another one: the folder lost its key
      // (or the database was copied without it). Leave no new key behind to confuse a retry.
      rmSync(createdKeyFile, { force: true });
      throw new SecretKeyError(
        `the private keys in ${dbName} were sealed under a key-encryption key this folder does not have: restore its ${SECRET_KEY_FILE} or set WEGO_SECRET_KEY`,
        { cause: error },
      );
    }
    throw error;
  }
  return orm;
}
