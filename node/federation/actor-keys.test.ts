import { afterEach, describe, expect, it } from "vitest";
import { exportJwk } from "@fedify/fedify";
import type { Orm } from "../db/orm.ts";
import { activeDatabase, describeEachDatabase } from "../db/test-databases.ts";
import { isSealed } from "../db/secret-box.ts";
import { actorKeyFingerprint, createActorKeys, createQueueKeyResolver, rotateActorKeys } from "./actor-keys.ts";

const orms: Orm[] = [];
afterEach(async () => {
  for (const orm of orms.splice(0)) await orm.close();
});

async function database(): Promise<Orm> {
  const orm = await activeDatabase().open();
  orms.push(orm);
  return orm;
}

interface Row {
  kid: string;
  purpose: string;
  private_jwk: string;
  retired_at: string | null;
}

const keyRows = async (orm: Orm) =>
  (await orm.em
    .getKnex()("keys")
    .select("kid", "purpose", "private_jwk", "retired_at")
    .where("purpose", "like", "http-%")) as Row[];

describeEachDatabase("actor keys", () => {
  describe("createActorKeys()", () => {
    it("stores the actor's RSA and Ed25519 private keys sealed", async () => {
      const orm = await database();
      const pairs = await createActorKeys(orm)();
      expect(pairs.map((p) => p.privateKey.algorithm.name)).toEqual(["RSASSA-PKCS1-v1_5", "Ed25519"]);
      const rows = await keyRows(orm);
      expect(rows.map((r) => r.purpose).sort()).toEqual(["http-ed25519", "http-rsa"]);
      for (const row of rows) {
        expect(isSealed(row.private_jwk)).toBe(true);
        expect(row.private_jwk).not.toMatch(/"d"/);
      }
    });
  });

  describe("rotateActorKeys()", () => {
    it("retires both keys with their private halves wiped, and the next load uses the new ones", async () => {
      const orm = await database();
      const before = await actorKeyFingerprint(orm);
      const rotation = await rotateActorKeys(orm);
      expect(rotation.retired).toHaveLength(2);
      expect(rotation.created).toHaveLength(2);
      const rows = await keyRows(orm);
      for (const kid of rotation.retired)
        expect(rows.find((r) => r.kid === kid)).toMatchObject({ private_jwk: "", retired_at: expect.any(String) });
      for (const kid of rotation.created) expect(rows.find((r) => r.kid === kid)).toMatchObject({ retired_at: null });
      const after = await actorKeyFingerprint(orm);
      expect(after.thumbprints).toHaveLength(2);
      expect(after.thumbprints.some((t) => before.thumbprints.includes(t))).toBe(false);
    });
  });

  describe("createQueueKeyResolver()", () => {
    it("finds a key by its reference, and answers the current key of the same type for a rotated one", async () => {
      const orm = await database();
      const resolver = createQueueKeyResolver(orm);
      const [rsa] = await createActorKeys(orm)();
      const rsaJwk = await exportJwk(rsa!.privateKey);
      const reference = await resolver.referenceOf(rsaJwk);
      expect(await resolver.resolve(reference, "RSA")).toEqual({ privateKey: rsaJwk, current: true });
      await rotateActorKeys(orm);
      const [next] = await createActorKeys(orm)();
      expect(await resolver.resolve(reference, "RSA")).toEqual({
        privateKey: await exportJwk(next!.privateKey),
        current: false,
      });
      expect(await resolver.resolve(reference, "EC")).toBeNull();
    });
  });
});
