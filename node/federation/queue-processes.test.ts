import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnTsxChild } from "../test-support.ts";
import { afterEach, describe, expect, it } from "vitest";
import type { Orm } from "../db/orm.ts";
import { rawRows } from "../db/sql.ts";
import { describeEachDatabase, TEST_DATABASES, type TestDatabase } from "../db/test-databases.ts";
import { createSqliteMessageQueue } from "./queue.ts";

// The durable message queue shared by several real node processes on one database: each
// message handled once, and the messages of a process killed while holding them finished
// by another once their lease passed.

const children: ChildProcess[] = [];
const orms: Orm[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  for (const orm of orms.splice(0)) await orm.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Waits until `fn` returns a truthy value, or fails naming `label` after `deadlineMs`. */
async function poll<T>(label: string, fn: () => T | Promise<T>, deadlineMs = 20_000): Promise<NonNullable<T>> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await fn();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A node process handling the queue: "work" handles each message in 20 ms, "hold" starts and never finishes. */
interface QueueProcess {
  readonly child: ChildProcess;
  /** The message numbers it finished ("done") or started holding ("hold"), in order. */
  readonly done: number[];
  readonly held: number[];
  /** Whether it has opened the database and is about to listen. */
  readonly ready: () => boolean;
  readonly stderr: () => string;
}

function startQueueProcess(
  db: TestDatabase,
  dir: string,
  mode: "work" | "hold",
  options: { pollIntervalMs: number; leaseMs: number },
): QueueProcess {
  const orm = fileURLToPath(new URL("../db/orm.ts", import.meta.url));
  const queue = fileURLToPath(new URL("./queue.ts", import.meta.url));
  const handler =
    mode === "work"
      ? `async (m) => { await new Promise((r) => setTimeout(r, 20)); process.stdout.write("done " + m.n + "\\n"); }`
      : `(m) => { process.stdout.write("hold " + m.n + "\\n"); return new Promise(() => {}); }`;
  const code = `
    const { openDatabase } = await import(${JSON.stringify(orm)});
    const { createSqliteMessageQueue } = await import(${JSON.stringify(queue)});
    const db = await openDatabase({ dataDir: ${JSON.stringify(dir)}, databaseUrl: ${JSON.stringify(db.databaseUrlOf(dir))} });
    const q = createSqliteMessageQueue(db, ${JSON.stringify({ ...options, workers: 4 })});
    process.stdout.write("ready\\n");
    await q.listen(${handler});
  `;
  const proc = { done: [] as number[], held: [] as number[], ready: false };
  const { child, stderr } = spawnTsxChild(code, (line) => {
    const [word, n] = line.split(" ");
    if (word === "ready") proc.ready = true;
    else if (word === "done") proc.done.push(Number(n));
    else if (word === "hold") proc.held.push(Number(n));
  });
  children.push(child);
  return { child, done: proc.done, held: proc.held, ready: () => proc.ready, stderr };
}

/** How many connections of the database are LISTENing for queue wake-ups (PostgreSQL). */
async function queueListeners(orm: Orm): Promise<number> {
  const rows = await rawRows<{ n: number }>(
    orm.em.getKnex(),
    "select count(*) as n from pg_stat_activity where datname = current_database() and query = 'listen wego_queue'",
  );
  return rows[0]!.n;
}

/** Every number of `all` occurs exactly once in `seen`. */
function exactlyOnce(seen: readonly number[], count: number): void {
  expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
}

describeEachDatabase("the message queue shared by two processes", (db) => {
  const postgres = db.name === "postgres";

  async function setUp(): Promise<{ dir: string; orm: Orm }> {
    const dir = mkdtempSync(join(tmpdir(), "wego-queue-procs-"));
    dirs.push(dir);
    const orm = await db.open(dir);
    orms.push(orm);
    return { dir, orm };
  }

  it(`handles N messages across both processes, each exactly once${postgres ? " (woken by NOTIFY alone: their poll is a minute)" : ""}`, async () => {
    const { dir, orm } = await setUp();
    // On PostgreSQL the poll never comes within the test: only the notification of the insert wakes them.
    const options = { pollIntervalMs: postgres ? 60_000 : 50, leaseMs: 30_000 };
    const a = startQueueProcess(db, dir, "work", options);
    const b = startQueueProcess(db, dir, "work", options);
    await poll(`both processes to start (${a.stderr()} ${b.stderr()})`, () => a.ready() && b.ready());
    if (postgres) await poll("both processes to LISTEN", async () => (await queueListeners(orm)) === 2);
    const n = 40;
    const q = createSqliteMessageQueue(orm);
    await q.enqueueMany(Array.from({ length: n }, (_, i) => ({ n: i + 1 })));
    await poll(
      `all ${n} messages handled (a: ${a.stderr()} b: ${b.stderr()})`,
      () => a.done.length + b.done.length >= n,
    );
    await poll("the handled rows to be deleted", async () => (await q.depth()) === 0);
    exactlyOnce([...a.done, ...b.done], n);
    expect(a.done.length).toBeGreaterThan(0);
    expect(b.done.length).toBeGreaterThan(0);
  });

  it("finishes, through the other process, the messages a SIGKILLed process held, once their lease passed", async () => {
    const { dir, orm } = await setUp();
    const n = 12;
    const holder = startQueueProcess(db, dir, "hold", { pollIntervalMs: 50, leaseMs: 2_000 });
    const q = createSqliteMessageQueue(orm);
    await q.enqueueMany(Array.from({ length: n }, (_, i) => ({ n: i + 1 })));
    await poll(`the first process to hold 4 messages (${holder.stderr()})`, () => holder.held.length === 4);
    const worker = startQueueProcess(db, dir, "work", { pollIntervalMs: 50, leaseMs: 30_000 });
    // The held messages stay invisible to the other process while their holder lives.
    await poll(`the other process to handle the rest (${worker.stderr()})`, () => worker.done.length === n - 4);
    expect(worker.done.filter((m) => holder.held.includes(m))).toEqual([]);
    const exited = new Promise((r) => holder.child.on("exit", r));
    holder.child.kill("SIGKILL");
    await exited;
    await poll("the held messages to be finished after their lease", () => worker.done.length === n);
    await poll("the handled rows to be deleted", async () => (await q.depth()) === 0);
    exactlyOnce(worker.done, n);
  });
});

const postgres = TEST_DATABASES[1]!;

describe.skipIf(postgres.skip !== null)(
  `releaseOrphanedLeases() [postgres${postgres.skip ? `: skipped, ${postgres.skip}` : ""}]`,
  () => {
    it("frees no lease on PostgreSQL, where another live process may hold it", async () => {
      const orm = await postgres.open();
      orms.push(orm);
      const q = createSqliteMessageQueue(orm);
      await q.enqueue({ n: 1 });
      const held = Date.now() + 3_600_000;
      await orm.em.getKnex()("fedify_queue").update({ locked_until: held });
      expect(await q.releaseOrphanedLeases()).toBe(0);
      const rows = await rawRows<{ locked_until: number }>(orm.em.getKnex(), "select locked_until from fedify_queue");
      expect(rows).toEqual([{ locked_until: held }]);
    });
  },
);
