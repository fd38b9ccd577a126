import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createMetaStore } from "../../node/db/meta-store.ts";
import { openDatabase } from "../../node/db/orm.ts";
import { freshPostgresDatabase, testPostgresUrl } from "../../node/db/test-databases.ts";
import { createLocalFeed } from "../../node/library/feed.ts";
import { caseDraft } from "../federation/cluster.ts";
import {
  freePort,
  poll,
  removeDir,
  runWegoAsync as wego,
  startNodeProcess,
  tempDir,
  type NodeProcess,
} from "../support.ts";

// Two `wego serve` processes on one PostgreSQL database serving one origin (issue 15): the
// publisher's watermark is moved by one of them only, and by the other once the first dies.

const running: NodeProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(running.map((n) => n.kill()));
  for (const d of dirs) removeDir(d);
});

interface Health {
  ok: boolean;
  database?: string;
  publisherLocks?: number;
  publisher?: boolean;
}

async function health(node: NodeProcess): Promise<Health> {
  return (await (await fetch(`${node.url}/healthz`)).json()) as Health;
}

describe.skipIf(!testPostgresUrl)(
  `several wego serve processes on one PostgreSQL${testPostgresUrl ? "" : " (skipped: no PostgreSQL for this run)"}`,
  () => {
    it("one process holds the publisher's lock and sends what the other committed; SIGKILLed, the other takes the publishing over", {
      timeout: 180_000,
    }, async () => {
      const [first, second] = [tempDir("pg-proc-1"), tempDir("pg-proc-2")];
      dirs.push(first, second);
      const database = await freshPostgresDatabase(testPostgresUrl!);
      const one = await startNodeProcess({
        dataDir: first,
        args: ["--database", database],
      });
      running.push(one);
      // The first process takes the lock before the second starts (under load its publisher may start late).
      await poll("the first process to take the publisher's lock", async () => (await health(one)).publisher, 60_000);
      // The second process: its own data folder (search index) with the same secret key, the same origin.
      mkdirSync(second, { recursive: true, mode: 0o700 });
      copyFileSync(join(first, "secret.key"), join(second, "secret.key"));
      const two = await startNodeProcess({
        dataDir: second,
        port: await freePort(),
        args: ["--database", database, "--origin", one.url, "--no-seed"],
      });
      running.push(two);

      await poll(
        "both processes to report the publisher's lock",
        async () => {
          const [h1, h2] = [await health(one), await health(two)];
          return h1.publisherLocks === 1 && h2.publisherLocks === 1 && h1.publisher && !h2.publisher;
        },
        60_000,
      );
      expect(await health(two)).toMatchObject({
        ok: true,
        database: "postgres",
        publisherLocks: 1,
        publisher: false,
      });

      const store = await openDatabase({
        dataDir: second,
        databaseUrl: database,
      });
      const meta = createMetaStore(store);
      const feed = createLocalFeed(store);
      const sent = async () => Number(await meta.get("federation.sentSeq"));
      try {
        const token = await wego(["token", "create", "--data", second, "--database", database, "--role", "editor"]);
        expect(token.status).toBe(0);
        const publishThroughTwo = async (title: string) => {
          const response = await fetch(`${two.url}/api/items`, {
            method: "POST",
            headers: {
              authorization: `Bearer ${token.stdout.trim().split("\n").at(-1)}`,
              "content-type": "application/json",
            },
            body: JSON.stringify(caseDraft(title)),
          });
          expect(response.status).toBe(201);
          return feed.lastSeq();
        };

        // Committed through the second process, handed to the queue by the first (the publisher).
        const before = await publishThroughTwo("Committed by the process that does not publish");
        await poll(
          "the publishing process to move the watermark past it",
          async () => (await sent()) >= before,
          60_000,
        );
        expect((await health(two)).publisher).toBe(false);

        await one.kill();
        await poll(
          "the second process to take the publisher's lock",
          async () => (await health(two)).publisher,
          60_000,
        );
        expect(await health(two)).toMatchObject({
          publisherLocks: 1,
          publisher: true,
        });
        const after = await publishThroughTwo("Committed after the publisher died");
        await poll("the new publisher to move the watermark past it", async () => (await sent()) >= after, 60_000);
      } finally {
        await store.close();
      }
    });
  },
);
