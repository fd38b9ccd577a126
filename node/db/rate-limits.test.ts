import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Koa from "koa";
import { afterEach, describe, expect, it } from "vitest";
import { loginRateLimit } from "../http/login-limit.ts";
import type { Orm } from "./orm.ts";
import { sharedLimitsOf, type SharedLimits } from "./rate-limits.ts";
import { TEST_DATABASES } from "./test-databases.ts";

// Rate limits shared by the processes of one PostgreSQL database: two stores opened on the
// same database stand for two processes behind one origin.

const postgres = TEST_DATABASES[1]!;
const orms: Orm[] = [];
const servers: Server[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const orm of orms.splice(0)) await orm.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The shared limits of two stores on one new database. */
async function twoProcesses(): Promise<[SharedLimits, SharedLimits, Orm[]]> {
  const dir = mkdtempSync(join(tmpdir(), "wego-limits-"));
  dirs.push(dir);
  const a = await postgres.open(dir);
  const b = await postgres.open(dir);
  orms.push(a, b);
  return [sharedLimitsOf(a)!, sharedLimitsOf(b)!, [a, b]];
}

describe("rate limits on SQLite", () => {
  it("are kept in memory: no shared limits, and the migration made no table", async () => {
    const orm = await TEST_DATABASES[0]!.open();
    orms.push(orm);
    expect(sharedLimitsOf(orm)).toBeNull();
    const tables = (await orm.em
      .getConnection()
      .execute("select name from sqlite_master where name = 'rate_limits'", [], "all")) as unknown[];
    expect(tables).toEqual([]);
  });
});

describe.skipIf(postgres.skip !== null)(
  `rate limits shared by the processes of one database [postgres${postgres.skip ? `: skipped, ${postgres.skip}` : ""}]`,
  () => {
    it("a host's token bucket is one across processes: its burst is spent whichever process it reaches", async () => {
      const [a, b] = await twoProcesses();
      // Three tokens, one more every ~17 minutes: none comes back during the test.
      const one = a.buckets("inbox", 0.001, 3);
      const two = b.buckets("inbox", 0.001, 3);
      const taken = [
        await one.take("busan.example"),
        await two.take("busan.example"),
        await one.take("busan.example"),
        await two.take("busan.example"),
        await one.take("busan.example"),
      ];
      expect(taken).toEqual([true, true, true, false, false]);
      // Another host has its own bucket.
      expect(await two.take("daegu.example")).toBe(true);
    });

    it("takes at the same moment from both processes never hand out more than the burst", async () => {
      const [a, b] = await twoProcesses();
      const buckets = [a.buckets("inbox", 0.001, 10), b.buckets("inbox", 0.001, 10)];
      const taken = await Promise.all(Array.from({ length: 40 }, (_, i) => buckets[i % 2]!.take("busan.example")));
      expect(taken.filter(Boolean)).toHaveLength(10);
    });

    it("a bucket refills at its rate", async () => {
      const [a] = await twoProcesses();
      const fast = a.buckets("inbox", 50, 1);
      expect(await fast.take("busan.example")).toBe(true);
      const deadline = Date.now() + 5_000;
      while (!(await fast.take("busan.example")))
        if (Date.now() > deadline) throw new Error("the bucket never refilled");
    });

    it("failed logins are counted across processes, and a success through either forgets them", async () => {
      const [a, b] = await twoProcesses();
      const one = a.failures("login-account", 3, 60_000);
      const two = b.failures("login-account", 3, 60_000);
      await one.fail("minji");
      await two.fail("minji");
      expect(await one.retryAfter("minji")).toBe(0);
      await one.fail("minji");
      expect(await two.retryAfter("minji")).toBeGreaterThan(0);
      expect(await two.retryAfter("someone-else")).toBe(0);
      await two.clear("minji");
      expect(await one.retryAfter("minji")).toBe(0);
    });

    it("the login form of two processes allows ten failures in all, not ten each", async () => {
      const [, , stores] = await twoProcesses();
      const urls: string[] = [];
      for (const orm of stores) {
        const limits = sharedLimitsOf(orm)!;
        const app = new Koa();
        app.use(
          loginRateLimit({
            usernameOf: (ctx) => String(ctx.query.u ?? ""),
            onLimited: (ctx) => void (ctx.body = "too many attempts"),
            sharedCounters: (name, max, windowMs) => limits.failures(name, max, windowMs),
          }),
        );
        app.use((ctx) => void (ctx.status = 401));
        const server = await new Promise<Server>((resolve) => {
          const s = app.listen(0, "127.0.0.1", () => resolve(s));
        });
        servers.push(server);
        urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      }
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await fetch(`${urls[i % 2]}/login?u=minji`)).status);
      expect(statuses).toEqual([...Array(10).fill(401), 429]);
      expect((await fetch(`${urls[0]}/login?u=minji`)).status).toBe(429);
    });
  },
);
