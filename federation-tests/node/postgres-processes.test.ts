import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freshPostgresDatabase, testPostgresUrl } from "../../node/db/test-databases.ts";
import { draftFixture } from "../../node/test-support.ts";
import { poll, removeDir, runWegoAsync, startNodeProcess, tempDir, type NodeProcess } from "../support.ts";

// Two `wego serve` processes on one PostgreSQL database, one origin (issue 15): each has
// its own data folder (its search index) and the same key-encryption key; what is
// published through one is served and searchable through the other.

const running: NodeProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(running.map((n) => n.kill()));
  for (const d of dirs) removeDir(d);
});

interface SearchAnswer {
  readonly results: { readonly id: string }[];
}

describe.skipIf(!testPostgresUrl)(
  `two wego serve processes on one PostgreSQL${testPostgresUrl ? "" : " (skipped: no PostgreSQL for this run)"}`,
  () => {
    it("an item published through process 1 is served and searchable through process 2, and an update too; a process stops cleanly", async () => {
      const database = await freshPostgresDatabase(testPostgresUrl!);
      const first = tempDir("wego-pg-proc1-");
      const second = tempDir("wego-pg-proc2-");
      dirs.push(first, second);
      const one = await startNodeProcess({ dataDir: first, args: ["--database", database] });
      running.push(one);
      // The second process: the same database, origin and key-encryption key, its own folder.
      copyFileSync(join(first, "secret.key"), join(second, "secret.key"));
      const two = await startNodeProcess({ dataDir: second, args: ["--database", database, "--origin", one.url] });
      running.push(two);

      const made = await runWegoAsync([
        "token",
        "create",
        "--data",
        first,
        "--database",
        database,
        "--role",
        "editor",
        "--name",
        "editor",
      ]);
      expect(made.status, made.stderr).toBe(0);
      const token = made.stdout.trim().split("\n").at(-1)!;
      const draft = { ...draftFixture("case-study.rich"), title: "Seaweed farming cooperatives in the bay" };
      const posted = await fetch(`${one.url}/api/items`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(draft),
      });
      expect(posted.status, one.output().slice(-2000)).toBe(201);
      const { id } = (await posted.json()) as { id: string };

      // Process 2 serves it from the database at once, and its index follows within moments.
      const stored = await fetch(`${two.url}/api/items?id=${encodeURIComponent(id)}`);
      expect(stored.status, two.output().slice(-2000)).toBe(200);
      const search = async (q: string) =>
        ((await (await fetch(`${two.url}/api/search?q=${encodeURIComponent(q)}`)).json()) as SearchAnswer).results.map(
          (r) => r.id,
        );
      await poll(`process 2 to find the item published through process 1 (${two.output().slice(-2000)})`, async () =>
        (await search("seaweed")).includes(id),
      );

      const put = await fetch(`${one.url}/api/items?id=${encodeURIComponent(id)}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ ...draft, title: "Kelp farming cooperatives in the bay" }),
      });
      expect(put.status, one.output().slice(-2000)).toBe(200);
      await poll("process 2 to find the update", async () => (await search("kelp")).includes(id));
      expect(await search("seaweed")).not.toContain(id);

      // A process stops cleanly on SIGTERM: its listening connection does not keep it alive.
      await two.stop(30_000);
      expect(two.child.signalCode, two.output()).toBeNull();
      expect(two.child.exitCode, two.output().slice(-2000)).toBe(0);
    });
  },
);
