import { existsSync, renameSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../node/db/orm.ts";
import { createQueueTable } from "../../node/db/queue-table.ts";
import { freshPostgresDatabase, testPostgresUrl } from "../../node/db/test-databases.ts";
import { createTestLibrary, draftFixture } from "../../node/test-support.ts";
import { api, caseDraft, createCluster, heldVersion, peer, publish, type Cluster } from "../federation/cluster.ts";
import { poll, removeDir, runWegoAsync as wego, startNodeProcess, tempDir, type NodeProcess } from "../support.ts";

// `wego db copy --from DIR --to postgres://…` with real processes (issue 15): a city moved
// from SQLite to PostgreSQL serves the same signed items and delivers what was pending.

const clusters: Cluster[] = [];
const running: NodeProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(running.map((n) => n.kill()));
  await Promise.all(clusters.map((c) => c.stop()));
  for (const d of dirs) removeDir(d);
});

/** A small stopped node's data folder: one signed case study, made in this process. */
async function smallSource(): Promise<{ dataDir: string; itemId: string }> {
  const dataDir = tempDir("db-copy-src");
  dirs.push(dataDir);
  const t = await createTestLibrary(undefined, dataDir);
  try {
    const created = await t.library.create(draftFixture("case-study.rich"), { author: "token:ed" });
    if (!created.ok) throw new Error("the fixture did not publish");
    return { dataDir, itemId: created.item.document.id as string };
  } finally {
    await t.orm.close();
  }
}

/** How many rows a PostgreSQL store's items table holds. */
async function itemRows(dataDir: string, databaseUrl: string): Promise<number> {
  const orm = await openDatabase({ dataDir, databaseUrl });
  try {
    const [row] = (await orm.em.getKnex()("items").count({ n: "*" })) as { n: number }[];
    return Number(row?.n);
  } finally {
    await orm.close();
  }
}

describe.skipIf(!testPostgresUrl)(
  `wego db copy${testPostgresUrl ? "" : " (skipped: no PostgreSQL for this run)"}`,
  () => {
    it("moves a seeded node with a peer and a pending delivery: the PostgreSQL node serves the same signed items and delivers what was pending", {
      timeout: 240_000,
    }, async () => {
      const cluster = createCluster();
      clusters.push(cluster);
      const [seoul, busan] = await Promise.all([cluster.start("seoul", { seed: true }), cluster.start("busan")]);
      await peer(busan, seoul);
      // Busan is down while Seoul publishes: the delivery waits in Seoul's queue.
      await busan.node.stop();
      const pending = await publish(seoul, caseDraft("Published while Busan was down"));
      const queued = await openDatabase({ dataDir: seoul.dataDir });
      try {
        await poll("the delivery to wait in Seoul's queue", async () => (await createQueueTable(queued).count()) > 0);
      } finally {
        await queued.close();
      }
      const listed = await api(seoul, "/api/items?limit=100");
      const before = listed.body.items as { id: string; version: number }[];
      const signatures = new Map<string, string>();
      for (const item of before)
        signatures.set(item.id, (await api(seoul, `/api/items?id=${encodeURIComponent(item.id)}`)).body.jws);
      await seoul.node.stop();

      const database = await freshPostgresDatabase(testPostgresUrl!);
      const copied = await wego(["db", "copy", "--from", seoul.dataDir, "--to", database]);
      expect(copied.stderr).toBe("");
      expect(copied.status).toBe(0);
      expect(copied.stdout).toMatch(new RegExp(`items: ${before.length} rows`));
      expect(copied.stdout).toMatch(/peers: 1 rows/);
      expect(copied.stdout).toMatch(/fedify_queue: [1-9]\d* rows/);
      expect(copied.stdout).toMatch(
        new RegExp(`checked: \\d+ tables hold the same rows; ${before.length} of this city's`),
      );

      // The SQLite file is put aside: whatever the node serves now comes from PostgreSQL.
      renameSync(join(seoul.dataDir, "wego.sqlite"), join(seoul.dataDir, "wego.sqlite.moved"));
      const moved = await startNodeProcess({
        dataDir: seoul.dataDir,
        port: seoul.node.port,
        args: ["--city", "seoul", "--database", database],
      });
      running.push(moved);
      expect(existsSync(join(seoul.dataDir, "wego.sqlite"))).toBe(false);
      expect(moved.output()).not.toContain("seeded the library");
      const after = (await (await fetch(`${moved.url}/api/items?limit=100`)).json()) as {
        items: { id: string; version: number }[];
      };
      expect(after.items.map((i) => [i.id, i.version])).toEqual(before.map((i) => [i.id, i.version]));
      for (const item of before) {
        const served = (await (await fetch(`${moved.url}/api/items?id=${encodeURIComponent(item.id)}`)).json()) as {
          jws: string;
        };
        expect(served.jws, item.id).toBe(signatures.get(item.id));
      }
      // Verified from outside against the keys the moved node publishes (read from PostgreSQL).
      const verified = await wego(["verify", pending, "--allow-private-address", "--json"]);
      expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, id: pending, version: 1 });

      // Busan returns; the moved node delivers what was pending when Seoul stopped.
      await cluster.restart(busan);
      await poll(
        "Busan to receive the pending item from the moved node",
        async () => (await heldVersion(busan, pending)) === 1,
        90_000,
      );
      const history = await api(busan, `/api/items/versions?id=${encodeURIComponent(pending)}`);
      expect(history.body.versions.map((v: { version: number }) => v.version)).toEqual([1]);
    });

    it("refuses a target database that already holds rows, and leaves it as it was", async () => {
      const { dataDir } = await smallSource();
      const database = await freshPostgresDatabase(testPostgresUrl!);
      const other = await openDatabase({ dataDir, databaseUrl: database });
      try {
        await other.em.getKnex()("meta").insert({ key: "someone-else", value: "1" });
      } finally {
        await other.close();
      }
      const result = await wego(["db", "copy", "--from", dataDir, "--to", database]);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/refusing to copy into a database that is not empty: meta \(1 rows\)/);
      expect(await itemRows(dataDir, database)).toBe(0);
    });

    it("reports a version whose JWS was tampered with in the source, naming it, and exits non-zero", async () => {
      const { dataDir, itemId } = await smallSource();
      const source = await openDatabase({ dataDir });
      try {
        const [row] = (await source.em.getKnex()("item_versions").select("jws").where("item_id", itemId)) as {
          jws: string;
        }[];
        const [header, , signature] = row!.jws.split(".");
        // Another valid-looking signature: the first byte changed.
        const flipped = `${signature![0] === "A" ? "B" : "A"}${signature!.slice(1)}`;
        await source.em
          .getKnex()("item_versions")
          .where("item_id", itemId)
          .update({ jws: `${header}..${flipped}` });
      } finally {
        await source.close();
      }
      const database = await freshPostgresDatabase(testPostgresUrl!);
      const result = await wego(["db", "copy", "--from", dataDir, "--to", database]);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`copy differs: signature of ${itemId} version 1`);
      expect(result.stderr).toMatch(/the copy is NOT sound \(1 problems; 0 signatures verified\)/);
      expect(result.stdout).not.toMatch(/^checked:/m);
    });
  },
);
