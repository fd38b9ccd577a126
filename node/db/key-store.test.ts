import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, expect, it } from "vitest";
import { createTestLibrary, draftFixture, type TestLibrary } from "../test-support.ts";
import { createKeyStore } from "./key-store.ts";
import { jwsKeyId, verifyDetachedJws } from "../signing/jws.ts";
import { isSealed } from "./secret-box.ts";
import { describeEachDatabase, type TestDatabase } from "./test-databases.ts";

const open: TestLibrary[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.orm.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

let database: TestDatabase;

async function library(dataDir?: string) {
  const t = await createTestLibrary(undefined, dataDir, { database });
  open.push(t);
  return t;
}

describeEachDatabase("createKeyStore()", (db) => {
  beforeAll(() => {
    database = db;
  });

  it("publishes one Ed25519 key named by its thumbprint, without private parts", async () => {
    const t = await library();
    const keys = await t.keys.publicKeys();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", kid: (await t.keys.current()).kid });
    expect(keys[0]).not.toHaveProperty("d");
  });

  it("keeps the same key across a restart on the same data folder", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wego-keys-"));
    dirs.push(dir);
    const first = await library(dir);
    const kid = (await first.keys.current()).kid;
    await first.orm.close();
    open.splice(open.indexOf(first), 1);
    const second = await library(dir);
    expect((await second.keys.current()).kid).toBe(kid);
  });

  it("rotate() signs new items with the new key while old signatures still verify", async () => {
    const t = await library();
    const before = await t.library.create(draftFixture("case-study.minimal"), { author: "a" });
    if (!before.ok) throw new Error("setup failed");
    const oldKid = jwsKeyId(before.item.jws);
    // A second store on the same database, as `wego keys rotate` is a second process.
    const rotated = await createKeyStore({ orm: t.orm }).rotate();
    expect(rotated.kid).not.toBe(oldKid);
    const after = await t.library.create(draftFixture("pathway.minimal"), { author: "a" });
    if (!after.ok) throw new Error("setup failed");
    expect(jwsKeyId(after.item.jws)).toBe(rotated.kid);
    const published = await t.keys.publicKeys();
    expect(published.map((k) => k.kid)).toEqual([rotated.kid, oldKid]);
    expect(await verifyDetachedJws(before.item.document, before.item.jws, published)).toMatchObject({
      ok: true,
      kid: oldKid,
    });
    expect(await verifyDetachedJws(after.item.document, after.item.jws, published)).toMatchObject({
      ok: true,
      kid: rotated.kid,
    });
  });

  it("stores the private key sealed, never as a JWK in the keys table", async () => {
    const t = await library();
    const { kid } = await t.keys.current();
    const rows = (await t.orm.em.getKnex()("keys").select("kid", "private_jwk").where("purpose", "jws")) as {
      kid: string;
      private_jwk: string;
    }[];
    expect(rows.map((r) => r.kid)).toEqual([kid]);
    expect(isSealed(rows[0]!.private_jwk)).toBe(true);
    expect(rows[0]!.private_jwk).not.toMatch(/"d"|"kty"/);
  });

  it("rotate() wipes the retired key's private half and keeps its public half published", async () => {
    const t = await library();
    const oldKid = (await t.keys.current()).kid;
    const rotated = await t.keys.rotate();
    const rows = (await t.orm.em
      .getKnex()("keys")
      .select("kid", "private_jwk", "public_jwk")
      .where("purpose", "jws")) as { kid: string; private_jwk: string; public_jwk: string }[];
    const old = rows.find((r) => r.kid === oldKid)!;
    expect(old.private_jwk).toBe("");
    expect(JSON.parse(old.public_jwk)).toMatchObject({ kid: oldKid, kty: "OKP" });
    expect(isSealed(rows.find((r) => r.kid === rotated.kid)!.private_jwk)).toBe(true);
    expect((await t.keys.current()).kid).toBe(rotated.kid);
  });
});
