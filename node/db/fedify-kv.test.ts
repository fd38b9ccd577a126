import { Temporal } from "@js-temporal/polyfill";
import type { KvStore } from "@fedify/fedify";
import { afterEach, expect, it, vi } from "vitest";
import type { Orm } from "./orm.ts";
import { createSqliteKvStore } from "./fedify-kv.ts";
import { rawRows } from "./sql.ts";
import { describeEachDatabase, type TestDatabase } from "./test-databases.ts";

const open: Orm[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const orm of open.splice(0)) await orm.close();
});

async function store(database: TestDatabase): Promise<{ orm: Orm; kv: KvStore }> {
  const orm = await database.open();
  open.push(orm);
  return { orm, kv: createSqliteKvStore(orm) };
}

async function rowCount(orm: Orm): Promise<number> {
  const rows = await rawRows<{ n: number }>(orm.em.getKnex(), "select count(*) as n from fedify_kv");
  return rows[0]?.n ?? -1;
}

describeEachDatabase("createSqliteKvStore()", (database) => {
  it("get() returns what set() stored, as JSON values", async () => {
    const { kv } = await store(database);
    const doc = {
      contextUrl: null,
      documentUrl: "https://a.example/u/1",
      document: { "@context": ["x"], n: 1.5, ok: true, list: [1, "두"] },
    };
    await kv.set(["_fedify", "remoteDocument", "https://a.example/u/1"], doc);
    await kv.set(["flag"], true);
    await kv.set(["nothing"], null);
    expect(await kv.get(["_fedify", "remoteDocument", "https://a.example/u/1"])).toEqual(doc);
    expect(await kv.get(["flag"])).toBe(true);
    expect(await kv.get(["nothing"])).toBeNull();
  });

  it("get() returns undefined for a key never set", async () => {
    const { kv } = await store(database);
    expect(await kv.get(["missing"])).toBeUndefined();
  });

  it("set() overwrites the value and the TTL of an existing key", async () => {
    const { orm, kv } = await store(database);
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-01-01T00:00:00Z") });
    await kv.set(["k"], "first", { ttl: Temporal.Duration.from({ seconds: 10 }) });
    await kv.set(["k"], "second");
    vi.setSystemTime(new Date("2026-01-01T01:00:00Z"));
    expect(await kv.get(["k"])).toBe("second");
    expect(await rowCount(orm)).toBe(1);
  });

  it("delete() removes one key and leaves the others", async () => {
    const { kv } = await store(database);
    await kv.set(["a"], 1);
    await kv.set(["b"], 2);
    await kv.delete(["a"]);
    await kv.delete(["never-set"]);
    expect(await kv.get(["a"])).toBeUndefined();
    expect(await kv.get(["b"])).toBe(2);
  });

  it("keeps keys apart that only a naive join would confuse", async () => {
    const { kv } = await store(database);
    await kv.set(["a", "b"], "two parts");
    await kv.set(["a:b"], "colon");
    await kv.set(["a", "b", ""], "empty last part");
    await kv.set(["a,b"], "comma");
    await kv.set(["키", 'https://b.example/users/x?y="z"'], "quoted");
    expect(await kv.get(["a", "b"])).toBe("two parts");
    expect(await kv.get(["a:b"])).toBe("colon");
    expect(await kv.get(["a", "b", ""])).toBe("empty last part");
    expect(await kv.get(["a,b"])).toBe("comma");
    expect(await kv.get(["키", 'https://b.example/users/x?y="z"'])).toBe("quoted");
    expect(await kv.get(["a"])).toBeUndefined();
  });

  it("get() returns undefined once the TTL has passed, and drops the row", async () => {
    const { orm, kv } = await store(database);
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-01-01T00:00:00Z") });
    await kv.set(["idempotence", "https://a.example/activities/1"], true, { ttl: Temporal.Duration.from({ days: 1 }) });
    vi.setSystemTime(new Date("2026-01-01T23:59:59Z"));
    expect(await kv.get(["idempotence", "https://a.example/activities/1"])).toBe(true);
    vi.setSystemTime(new Date("2026-01-02T00:00:00Z"));
    expect(await kv.get(["idempotence", "https://a.example/activities/1"])).toBeUndefined();
    expect(await rowCount(orm)).toBe(0);
  });

  it("set() sweeps entries that expired without being read", async () => {
    const { orm, kv } = await store(database);
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-01-01T00:00:00Z") });
    for (let i = 0; i < 5; i++)
      await kv.set(["doc", String(i)], { i }, { ttl: Temporal.Duration.from({ minutes: 5 }) });
    await kv.set(["forever"], 1);
    expect(await rowCount(orm)).toBe(6);
    vi.setSystemTime(new Date("2026-01-01T00:10:00Z"));
    await kv.set(["another"], 2);
    expect(await rowCount(orm)).toBe(2);
    expect(await kv.get(["forever"])).toBe(1);
  });

  it("works inside a running em.transactional() instead of waiting for the only connection", async () => {
    const { orm, kv } = await store(database);
    const result = await orm.em.fork().transactional(async () => {
      await kv.set(["in-tx"], "yes");
      return kv.get(["in-tx"]);
    });
    expect(result).toBe("yes");
    expect(await kv.get(["in-tx"])).toBe("yes");
  });

  it("set() rejects a value JSON cannot represent", async () => {
    const { kv } = await store(database);
    await expect(kv.set(["fn"], () => 1)).rejects.toThrow(TypeError);
    await expect(kv.set(["u"], undefined)).rejects.toThrow(TypeError);
  });
});
