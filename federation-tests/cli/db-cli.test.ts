import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../node/db/orm.ts";
import { freshPostgresDatabase, testPostgresUrl } from "../../node/db/test-databases.ts";
import { runWegoAsync as wego } from "../support.ts";

/** The store's migrations: one file each in node/db/migrations (`001-initial.ts`, …). */
const MIGRATIONS = readdirSync(new URL("../../node/db/migrations/", import.meta.url)).filter((f) =>
  /^\d{3}-.+\.ts$/.test(f),
).length;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!testPostgresUrl)(
  `wego db migrate and --database${testPostgresUrl ? "" : " (skipped: no PostgreSQL for this run)"}`,
  () => {
    it("migrates an empty PostgreSQL database, and token create --database stores its token there, not in --data", async () => {
      const data = mkdtempSync(join(tmpdir(), "wego-db-cli-"));
      dirs.push(data);
      const url = await freshPostgresDatabase(testPostgresUrl!);

      const migrated = await wego(["db", "migrate", "--data", data, "--database", url]);
      expect(migrated.stderr).toBe("");
      expect(migrated.status).toBe(0);
      expect(migrated.stdout).toContain(`up to date: ${MIGRATIONS} migrations applied`);

      const created = await wego(["token", "create", "--data", data, "--database", url, "--role", "editor"]);
      expect(created.status).toBe(0);
      expect(existsSync(join(data, "wego.sqlite"))).toBe(false);
      // The secret key that seals the store's private keys stays in the data folder.
      expect(existsSync(join(data, "secret.key"))).toBe(true);

      const orm = await openDatabase({ dataDir: data, databaseUrl: url });
      try {
        const tokens = (await orm.em.getKnex()("tokens").select("role")) as { role: string }[];
        expect(tokens).toEqual([{ role: "editor" }]);
      } finally {
        await orm.close();
      }
    });

    it("refuses a --database that is not a postgres:// URL", async () => {
      const data = mkdtempSync(join(tmpdir(), "wego-db-cli-"));
      dirs.push(data);
      const result = await wego(["db", "migrate", "--data", data, "--database", "mysql://localhost/wego"]);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/postgres:\/\//);
    });
  },
);
