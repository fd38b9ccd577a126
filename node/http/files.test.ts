import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app.ts";
import { createLogger } from "../log.ts";
import { createTestLibrary, type TestLibrary } from "../test-support.ts";
import { describeEachDatabase } from "../db/test-databases.ts";

let dir: string;
let t: TestLibrary;
let server: Server;
let base: string;

describeEachDatabase("uploaded files", (database) => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "wego-files-"));
    writeFileSync(join(dir, "phases.csv"), "phase,years\nfoundation,1990–1999\n");
    writeFileSync(join(tmpdir(), "wego-secret.csv"), "secret");
    t = await createTestLibrary(undefined, undefined, { database });
    const app = createApp({ ...t, logger: createLogger("error", () => {}), maxBodyBytes: 1 << 20, seedFilesDir: dir });
    server = await new Promise((r) => {
      const s = app.listen(0, "127.0.0.1", () => r(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await t.orm.close();
    rmSync(dir, { recursive: true, force: true });
  });
  describe("GET /files/:name", () => {
    it("serves a seed dataset file with its type and exact bytes", async () => {
      const res = await fetch(`${base}/files/phases.csv`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(await res.text()).toBe("phase,years\nfoundation,1990–1999\n");
    });

    it("answers 404 for unknown files, other extensions and traversal attempts", async () => {
      for (const path of [
        "/files/missing.csv",
        "/files/phases.txt",
        "/files/..%2Fwego-secret.csv",
        "/files/%2E%2E%2Fwego-secret.csv",
      ]) {
        const res = await fetch(`${base}${path}`);
        expect(res.status, path).toBe(404);
      }
    });
  });
});
