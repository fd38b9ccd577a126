import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freshPostgresDatabase, testPostgresUrl } from "../../node/db/test-databases.ts";
import { removeDir, startNodeProcess, tempDir, type NodeProcess } from "../support.ts";

// `wego serve --database postgres://…` as a real process: the node seeds, serves and
// restarts on PostgreSQL as it does on SQLite (issue 15).

const running: NodeProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(running.map((n) => n.kill()));
  for (const d of dirs) removeDir(d);
});

async function json<T>(url: string): Promise<T> {
  const response = await fetch(url);
  expect(response.status, url).toBe(200);
  return (await response.json()) as T;
}

describe.skipIf(!testPostgresUrl)(
  `wego serve --database${testPostgresUrl ? "" : " (skipped: no PostgreSQL for this run)"}`,
  () => {
    it("seeds, serves pages, the API and search from PostgreSQL, and restarts on it without seeding again", async () => {
      const data = tempDir("wego-pg-serve-");
      dirs.push(data);
      const database = await freshPostgresDatabase(testPostgresUrl!);
      let node = await startNodeProcess({ dataDir: data, args: ["--database", database] });
      running.push(node);
      expect(existsSync(join(data, "wego.sqlite"))).toBe(false);

      const list = await json<{ total: number; items: { id: string; type: string }[] }>(
        `${node.url}/api/items?limit=100`,
      );
      expect(list.total).toBeGreaterThan(0);
      const pathway = list.items.find((i) => i.type === "Pathway");
      expect(pathway).toBeDefined();
      const stored = await json<{ document: { case: string } }>(
        `${node.url}/api/items?id=${encodeURIComponent(pathway!.id)}`,
      );
      const caseId = stored.document.case;
      // The case's page lists what links to it; the API lists the items naming it.
      const page = await fetch(caseId, { headers: { accept: "text/html" } });
      expect(page.status).toBe(200);
      const naming = await json<{ items: { id: string }[] }>(
        `${node.url}/api/items?case=${encodeURIComponent(caseId)}`,
      );
      expect(naming.items.map((i) => i.id)).toContain(pathway!.id);
      const found = await json<{ total: number }>(`${node.url}/api/search?q=gis`);
      expect(found.total).toBeGreaterThan(0);

      await node.kill();
      node = await startNodeProcess({ dataDir: data, args: ["--database", database] });
      running.push(node);
      expect(node.output()).not.toContain("seeded the library");
      expect((await json<{ total: number }>(`${node.url}/api/items?limit=1`)).total).toBe(list.total);
    });
  },
);
