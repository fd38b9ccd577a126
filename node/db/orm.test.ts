import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Orm } from "./orm.ts";
import { openPrivateJwk } from "./key-rows.ts";
import { isSealed, SecretKeyError, SECRET_KEY_FILE } from "./secret-box.ts";

const orms: Orm[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const orm of orms.splice(0)) await orm.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "wego-orm-"));
  dirs.push(dir);
  return dir;
}

async function open(dataDir: string, secretKey?: string): Promise<Orm> {
  const orm = await openDatabase({ dataDir, secretKey });
  orms.push(orm);
  return orm;
}

async function close(orm: Orm): Promise<void> {
  orms.splice(orms.indexOf(orm), 1);
  await orm.close();
}

/** The keys table of a database file, read with SQLite alone (no key-encryption key). */
async function readRows(file: string): Promise<unknown[]> {
  const { default: sqlite3 } = await import("sqlite3");
  const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY);
  try {
    return await new Promise((resolve, reject) =>
      db.all("select private_jwk from keys", (error, rows) => (error ? reject(error) : resolve(rows))),
    );
  } finally {
    db.close();
  }
}

const mode = (path: string) => statSync(path).mode & 0o777;

const PLAIN_JWK = {
  kty: "OKP",
  crv: "Ed25519",
  x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
  d: "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
};

/** Inserts key `kid` with its private half in plain, as an older version stored it (`retiredAt` for a retired one). */
async function insertPlainKey(orm: Orm, kid: string, retiredAt: string | null = null): Promise<void> {
  await orm.em
    .getKnex()("keys")
    .insert({
      kid,
      purpose: "jws",
      public_jwk: "{}",
      private_jwk: JSON.stringify(PLAIN_JWK),
      created_at: "2026-01-01T00:00:00Z",
      retired_at: retiredAt,
    });
}

describe("openDatabase()", () => {
  it("sets a pre-existing 0755 data folder to 0700 and its 0644 files to 0600, at every open", async () => {
    const dir = join(tempDir(), "data");
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    await close(await open(dir));
    // What an older version (or a restore from a backup) left behind.
    chmodSync(dir, 0o755);
    for (const f of ["wego.sqlite", SECRET_KEY_FILE]) chmodSync(join(dir, f), 0o644);
    const orm = await open(dir);
    expect(mode(dir)).toBe(0o700);
    for (const f of ["wego.sqlite", "wego.sqlite-wal", "wego.sqlite-shm", SECRET_KEY_FILE]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
      expect(mode(join(dir, f)), f).toBe(0o600);
    }
    await close(orm);
  });

  it("makes <data>/secret.key (0600) on first open and keeps it across opens", async () => {
    const dir = tempDir();
    await close(await open(dir));
    const file = join(dir, SECRET_KEY_FILE);
    expect(mode(file)).toBe(0o600);
    const before = statSync(file).mtimeMs;
    await close(await open(dir));
    expect(statSync(file).mtimeMs).toBe(before);
  });

  it("seals private keys an older version stored in plain, and wipes retired ones", async () => {
    const dir = tempDir();
    const first = await open(dir);
    await insertPlainKey(first, "current");
    await insertPlainKey(first, "retired", "2026-01-02T00:00:00Z");
    await close(first);

    const orm = await open(dir);
    const rows = (await orm.em.getKnex()("keys").select("kid", "private_jwk").orderBy("kid")) as {
      kid: string;
      private_jwk: string;
    }[];
    expect(rows.map((r) => r.kid)).toEqual(["current", "retired"]);
    expect(isSealed(rows[0]!.private_jwk)).toBe(true);
    expect(rows[0]!.private_jwk).not.toContain(PLAIN_JWK.d);
    expect(rows[1]!.private_jwk).toBe("");
    expect(openPrivateJwk(orm, { kid: "current", privateJwk: rows[0]!.private_jwk })).toEqual(PLAIN_JWK);
  });

  it("a copy of the database without its secret.key holds no usable private key", async () => {
    const dir = tempDir();
    const orm = await open(dir);
    await insertPlainKey(orm, "k");
    await close(await open(dir)); // seals it
    await close(orm);
    const copy = tempDir();
    copyFileSync(join(dir, "wego.sqlite"), join(copy, "wego.sqlite"));
    // The copy's new secret.key does not open the sealed key: the open stops with the reason.
    await expect(openDatabase({ dataDir: copy })).rejects.toBeInstanceOf(SecretKeyError);
    expect(existsSync(join(copy, SECRET_KEY_FILE))).toBe(false);
    const rows = (await readRows(join(copy, "wego.sqlite"))) as { private_jwk: string }[];
    expect(rows[0]!.private_jwk).not.toContain(PLAIN_JWK.d);
  });

  it("with a given secret key (WEGO_SECRET_KEY) writes no secret.key and refuses another key later", async () => {
    const dir = tempDir();
    const key = "a".repeat(64);
    const orm = await open(dir, key);
    await insertPlainKey(orm, "k");
    await close(orm);
    await close(await open(dir, key));
    expect(existsSync(join(dir, SECRET_KEY_FILE))).toBe(false);
    await expect(openDatabase({ dataDir: dir, secretKey: "b".repeat(64) })).rejects.toBeInstanceOf(SecretKeyError);
    await expect(openDatabase({ dataDir: dir, secretKey: "short" })).rejects.toBeInstanceOf(SecretKeyError);
  });
});
