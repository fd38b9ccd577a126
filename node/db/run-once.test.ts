import { fileURLToPath } from "node:url";
import { spawnTsxChild } from "../test-support.ts";
import { afterEach, describe, expect, it } from "vitest";
import { poll } from "../cli/supervisor.ts";
import { openDatabase, type Orm } from "./orm.ts";
import { createRunOnceLocks, type RunOnceLocks } from "./run-once.ts";
import { freshPostgresDatabase, testPostgresUrl } from "./test-databases.ts";

const opened: { orm: Orm; locks: RunOnceLocks }[] = [];
afterEach(async () => {
  for (const { orm, locks } of opened.splice(0)) {
    await locks.close();
    await orm.close();
  }
});

/** The locks of one more process on the database `url` (a store opened on its own pool). */
async function processOn(url: string): Promise<RunOnceLocks> {
  const orm = await openDatabase({ dataDir: ":memory:", databaseUrl: url });
  const locks = createRunOnceLocks(orm);
  opened.push({ orm, locks });
  return locks;
}

describe("createRunOnceLocks() on SQLite", () => {
  it("grants every lock at once: one process, and the holder is that process", async () => {
    const orm = await openDatabase({ dataDir: ":memory:" });
    const locks = createRunOnceLocks(orm);
    opened.push({ orm, locks });
    expect(locks.database).toBe("sqlite");
    expect(await locks.run("backfill:x", async () => 7)).toEqual({ ran: true, value: 7 });
    expect(await locks.holders("publisher")).toBe(0);
    expect(await locks.hold("publisher")).toBe(true);
    expect(await locks.holders("publisher")).toBe(1);
  });
});

describe.skipIf(!testPostgresUrl)(
  `createRunOnceLocks() on PostgreSQL${testPostgresUrl ? "" : " (skipped: no PostgreSQL for this run)"}`,
  () => {
    it("hold(): of two processes one holds the lock, the other gets it once the first releases it", async () => {
      const url = await freshPostgresDatabase(testPostgresUrl!);
      const [first, second] = [await processOn(url), await processOn(url)];
      expect(first.database).toBe("postgres");
      expect(await first.hold("publisher")).toBe(true);
      expect(await second.hold("publisher")).toBe(false);
      // Still held: the first keeps it, the second still cannot take it.
      expect(await first.hold("publisher")).toBe(true);
      expect(await second.hold("publisher")).toBe(false);
      expect(await second.holders("publisher")).toBe(1);
      expect([first.holding("publisher"), second.holding("publisher")]).toEqual([true, false]);
      // Other names are other locks.
      expect(await second.hold("backfill:https://a.example/cities/a")).toBe(true);
      await first.release("publisher");
      expect(await second.hold("publisher")).toBe(true);
      expect(await first.hold("publisher")).toBe(false);
      expect(await first.holders("publisher")).toBe(1);
    });

    it("run(): the work runs in the process that got the lock, and is not run by the other meanwhile", async () => {
      const url = await freshPostgresDatabase(testPostgresUrl!);
      const [first, second] = [await processOn(url), await processOn(url)];
      let runs = 0;
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const running = first.run("health-probe", async () => {
        runs++;
        await gate;
        return "first";
      });
      await poll("the first process to hold the lock", async () => (await second.holders("health-probe")) === 1);
      expect(
        await second.run("health-probe", async () => {
          runs++;
          return "second";
        }),
      ).toEqual({ ran: false });
      // Nor by the same process twice (a session may take again a lock it holds: refused before).
      expect(await first.run("health-probe", async () => runs++)).toEqual({ ran: false });
      release();
      expect(await running).toEqual({ ran: true, value: "first" });
      expect(runs).toBe(1);
      // Released when the work is done: the next run anywhere runs.
      expect(await second.run("health-probe", async () => "second")).toEqual({ ran: true, value: "second" });
      expect(await second.holders("health-probe")).toBe(0);
    });

    it("a process killed while holding the lock loses it: another process takes it", async () => {
      const url = await freshPostgresDatabase(testPostgresUrl!);
      const orm = fileURLToPath(new URL("./orm.ts", import.meta.url));
      const runOnce = fileURLToPath(new URL("./run-once.ts", import.meta.url));
      const code = `
        const { openDatabase } = await import(${JSON.stringify(orm)});
        const { createRunOnceLocks } = await import(${JSON.stringify(runOnce)});
        const db = await openDatabase({ dataDir: ":memory:", databaseUrl: ${JSON.stringify(url)} });
        const locks = createRunOnceLocks(db);
        process.stdout.write((await locks.hold("publisher")) ? "held\\n" : "refused\\n");
        setInterval(() => {}, 1 << 30);
      `;
      const { child, stdout, stderr, exited } = spawnTsxChild(code);
      const other = await processOn(url);
      try {
        await poll(`the child to hold the lock (stderr: ${stderr()})`, async () => stdout().includes("held"), 30_000);
        expect(await other.hold("publisher")).toBe(false);
        expect(await other.holders("publisher")).toBe(1);
      } finally {
        child.kill("SIGKILL");
      }
      expect(await exited).toBe("SIGKILL");
      await poll("the killed process's lock to be released", () => other.hold("publisher"), 30_000);
      expect(await other.holders("publisher")).toBe(1);
    });
  },
);
