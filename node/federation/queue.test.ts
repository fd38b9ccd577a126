import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnTsxChild } from "../test-support.ts";
import { Temporal } from "@js-temporal/polyfill";
import { createFederation, exportJwk, generateCryptoKeyPair, MemoryKvStore, verifyRequest } from "@fedify/fedify";
import { Create, CryptographicKey, Note, Organization } from "@fedify/fedify/vocab";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Orm } from "../db/orm.ts";
import { rawRows } from "../db/sql.ts";
import { activeDatabase, describeEachDatabase } from "../db/test-databases.ts";
import { createActorKeys, rotateActorKeys } from "./actor-keys.ts";
import { createSqliteMessageQueue, type SqliteMessageQueue, type SqliteMessageQueueOptions } from "./queue.ts";

const orms: Orm[] = [];
const queues: SqliteMessageQueue[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const q of queues.splice(0)) await q.close();
  for (const orm of orms.splice(0)) await orm.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A store on the database of the running suite (both, in turn, for the queue's own tests; the rest on SQLite). */
async function database(dataDir = ":memory:"): Promise<Orm> {
  const orm = await activeDatabase().open(dataDir);
  orms.push(orm);
  return orm;
}

function queueOn(orm: Orm, options?: SqliteMessageQueueOptions): SqliteMessageQueue {
  const q = createSqliteMessageQueue(orm, options);
  queues.push(q);
  return q;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "wego-queue-"));
  dirs.push(dir);
  return dir;
}

/** Waits until `fn` returns a truthy value, or fails naming `label` after `deadlineMs`. */
async function poll<T>(label: string, fn: () => T | Promise<T>, deadlineMs = 5_000): Promise<NonNullable<T>> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await fn();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Listens on `q` until it has handled one message (`label` names it) and deleted it; returns the messages it saw. */
async function receiveOne(q: SqliteMessageQueue, label: string): Promise<unknown[]> {
  const seen: unknown[] = [];
  const ac = new AbortController();
  const listening = q.listen((m) => void seen.push(m), { signal: ac.signal });
  await poll(label, () => seen.length === 1);
  await poll("the message to be deleted", async () => (await q.depth()) === 0);
  ac.abort();
  await listening;
  return seen;
}

function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

interface Row {
  id: number;
  message: string;
  deliver_at: number;
  attempts: number;
  locked_until: number | null;
  last_error: string | null;
  created_at: number;
}

async function rows(orm: Orm): Promise<Row[]> {
  return rawRows<Row>(orm.em.getKnex(), "select * from fedify_queue order by id");
}

describeEachDatabase("createSqliteMessageQueue()", () => {
  it("enqueue() has stored the message when it resolves", async () => {
    const orm = await database();
    const q = queueOn(orm);
    const before = Date.now();
    await q.enqueue({ type: "outbox", inbox: "https://b.example/inbox", attempt: 0 });
    const [row] = await rows(orm);
    expect(JSON.parse(row!.message)).toEqual({ type: "outbox", inbox: "https://b.example/inbox", attempt: 0 });
    expect(row).toMatchObject({ attempts: 0, locked_until: null });
    expect(row!.deliver_at).toBeGreaterThanOrEqual(before);
    expect(row!.deliver_at).toBeLessThanOrEqual(Date.now());
    expect(await q.depth()).toBe(1);
  });

  it("listen() hands due messages over oldest first", async () => {
    const orm = await database();
    const q = queueOn(orm, { workers: 1 });
    await q.enqueue("a");
    await q.enqueue("b");
    await q.enqueueMany(["c", "d", "e"]);
    const seen: string[] = [];
    const ac = new AbortController();
    const listening = q.listen((m: string) => void seen.push(m), { signal: ac.signal });
    await poll("five messages", () => seen.length === 5);
    ac.abort();
    await listening;
    expect(seen).toEqual(["a", "b", "c", "d", "e"]);
    expect(await q.depth()).toBe(0);
  });

  it("enqueue() with a delay holds the message back until it is due", async () => {
    const orm = await database();
    const q = queueOn(orm, { pollIntervalMs: 20 });
    const start = Date.now();
    await q.enqueue("later", { delay: Temporal.Duration.from({ milliseconds: 400 }) });
    await q.enqueue("now");
    const seen: { m: string; at: number }[] = [];
    const ac = new AbortController();
    const listening = q.listen((m: string) => void seen.push({ m, at: Date.now() }), { signal: ac.signal });
    await poll("both messages", () => seen.length === 2);
    ac.abort();
    await listening;
    expect(seen.map((s) => s.m)).toEqual(["now", "later"]);
    expect(seen[1]!.at - start).toBeGreaterThanOrEqual(400);
  });

  it("enqueueMany() stores every message, in one transaction", async () => {
    const orm = await database();
    const q = queueOn(orm);
    await q.enqueueMany([]);
    const many = Array.from({ length: 1_234 }, (_, i) => ({ type: "outbox", i }));
    await q.enqueueMany(many, { delay: Temporal.Duration.from({ hours: 1 }) });
    const stored = await rows(orm);
    expect(stored).toHaveLength(1_234);
    expect(stored.map((r) => (JSON.parse(r.message) as { i: number }).i)).toEqual(many.map((m) => m.i));
    expect(stored[0]!.deliver_at - stored[0]!.created_at).toBe(3_600_000);
    // A message that cannot be serialised fails the whole batch.
    await expect(q.enqueueMany([{ ok: 1 }, undefined])).rejects.toThrow(TypeError);
    expect(await q.depth()).toBe(1_234);
  });

  it("enqueue() inside em.transactional() commits or rolls back with the caller", async () => {
    const orm = await database();
    const q = queueOn(orm, { pollIntervalMs: 60_000 });
    await expect(
      orm.em.fork().transactional(async () => {
        await q.enqueueMany(["rolled back 1", "rolled back 2"]);
        throw new Error("caller fails");
      }),
    ).rejects.toThrow("caller fails");
    expect(await q.depth()).toBe(0);
    const seen: string[] = [];
    const ac = new AbortController();
    const listening = q.listen((m: string) => void seen.push(m), { signal: ac.signal });
    await orm.em.fork().transactional(() => q.enqueue("committed"));
    // The poll interval is a minute: only the wake-up on commit delivers it this soon.
    await poll("the committed message", () => seen.length === 1, 3_000);
    ac.abort();
    await listening;
    expect(seen).toEqual(["committed"]);
  });

  it("enqueue() wakes a listener in the same process without waiting for the poll interval", async () => {
    const orm = await database();
    const q = queueOn(orm, { pollIntervalMs: 60_000 });
    const seen: string[] = [];
    const ac = new AbortController();
    const listening = q.listen((m: string) => void seen.push(m), { signal: ac.signal });
    await q.enqueue("first");
    await poll("first", () => seen.length === 1, 3_000);
    await q.enqueue("second");
    await poll("second", () => seen.length === 2, 3_000);
    ac.abort();
    await listening;
    expect(seen).toEqual(["first", "second"]);
  });

  it("listen() runs at most `workers` handlers at once, and a stuck one does not hold up the rest", async () => {
    const orm = await database();
    const q = queueOn(orm, { workers: 3, pollIntervalMs: 20 });
    const stuck = gate();
    let active = 0;
    let most = 0;
    const done: number[] = [];
    await q.enqueue({ n: 0 });
    await q.enqueueMany(Array.from({ length: 12 }, (_, i) => ({ n: i + 1 })));
    const ac = new AbortController();
    const listening = q.listen(
      async ({ n }: { n: number }) => {
        active++;
        most = Math.max(most, active);
        await (n === 0 ? stuck.promise : new Promise((r) => setTimeout(r, 15)));
        active--;
        done.push(n);
      },
      { signal: ac.signal },
    );
    try {
      // A generous deadline: on a loaded machine each message is a few round trips to the database.
      await poll("the twelve quick messages", () => done.length === 12, 30_000);
      expect(done).not.toContain(0);
      expect(await q.depth()).toBe(1);
    } finally {
      // Else a failure above would leave the stuck handler holding close() in afterEach until the hook times out.
      stuck.open();
    }
    await poll("the stuck message", () => done.length === 13);
    ac.abort();
    await listening;
    expect(most).toBe(3);
    expect(await q.depth()).toBe(0);
  });

  it("listen() retries a message whose handler threw, later, and does not lose it", async () => {
    const orm = await database();
    const q = queueOn(orm, { retryBaseMs: 300, pollIntervalMs: 20 });
    const calls: number[] = [];
    const ac = new AbortController();
    const listening = q.listen(
      (m: { to: string }) => {
        calls.push(Date.now());
        if (calls.length === 1) throw new Error(`peer ${m.to} is down`);
      },
      { signal: ac.signal },
    );
    await q.enqueue({ to: "b.example" });
    const failed = await poll("the failure to be recorded", async () =>
      (await rows(orm)).find((r) => r.attempts === 1),
    );
    expect(failed).toMatchObject({ locked_until: null, last_error: "Error: peer b.example is down" });
    expect(failed!.deliver_at).toBeGreaterThanOrEqual(calls[0]! + 300);
    await poll("the retry", () => calls.length === 2);
    await poll("the message to be deleted", async () => (await q.depth()) === 0);
    ac.abort();
    await listening;
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(300);
    expect(calls).toHaveLength(2);
  });

  it("listen() backs off exponentially, capped at retryCapMs", async () => {
    const orm = await database();
    const q = queueOn(orm, { retryBaseMs: 1_000, retryCapMs: 5_000, pollIntervalMs: 20 });
    await q.enqueue("third try");
    await q.enqueue("tenth try");
    await orm.em
      .getKnex()
      .raw("update fedify_queue set attempts = case message when ? then 2 else 9 end", [JSON.stringify("third try")]);
    const ac = new AbortController();
    const failedAt = new Map<string, number>();
    const listening = q.listen(
      (m: string) => {
        failedAt.set(m, Date.now());
        throw new Error("still down");
      },
      { signal: ac.signal },
    );
    const stored = await poll("both failures", async () => {
      const r = await rows(orm);
      return r.every((x) => x.attempts === 3 || x.attempts === 10) ? r : null;
    });
    ac.abort();
    await listening;
    const third = stored.find((r) => r.attempts === 3)!;
    const tenth = stored.find((r) => r.attempts === 10)!;
    // 1 s · 2^2 = 4 s; 1 s · 2^9 is capped at 5 s.
    expect(third.deliver_at - failedAt.get("third try")!).toBeGreaterThanOrEqual(4_000);
    expect(third.deliver_at - failedAt.get("third try")!).toBeLessThan(4_500);
    expect(tenth.deliver_at - failedAt.get("tenth try")!).toBeGreaterThanOrEqual(5_000);
    expect(tenth.deliver_at - failedAt.get("tenth try")!).toBeLessThan(5_500);
  });

  it("listen() redelivers a message whose lease expired", async () => {
    const orm = await database();
    const q = queueOn(orm, { pollIntervalMs: 20 });
    await q.enqueue("orphan");
    // What a worker that died mid-handler leaves behind: a claim nobody will release.
    const leaseEnds = Date.now() + 400;
    await orm.em.getKnex().raw("update fedify_queue set locked_until = ?", [leaseEnds]);
    const seen: { m: string; at: number }[] = [];
    const ac = new AbortController();
    const listening = q.listen((m: string) => void seen.push({ m, at: Date.now() }), { signal: ac.signal });
    await poll("the orphaned message", () => seen.length === 1);
    await poll("the message to be deleted", async () => (await q.depth()) === 0);
    ac.abort();
    await listening;
    expect(seen[0]!.m).toBe("orphan");
    expect(seen[0]!.at).toBeGreaterThanOrEqual(leaseEnds);
  });

  it("listen() never runs a message twice at once, even when its handler outlasts the lease", async () => {
    const orm = await database();
    // Two queues on one database stand for two processes sharing the file.
    const a = queueOn(orm, { leaseMs: 150, pollIntervalMs: 10 });
    const b = queueOn(orm, { leaseMs: 150, pollIntervalMs: 10 });
    const runs = new Map<string, number>();
    let active = 0;
    let most = 0;
    const handler = async (m: string) => {
      runs.set(m, (runs.get(m) ?? 0) + 1);
      active++;
      most = Math.max(most, active);
      await new Promise((r) => setTimeout(r, 600));
      active--;
    };
    const ac = new AbortController();
    const listening = [a.listen(handler, { signal: ac.signal }), b.listen(handler, { signal: ac.signal })];
    await a.enqueue("slow");
    await poll("the message to be deleted", async () => (await a.depth()) === 0);
    ac.abort();
    await Promise.all(listening);
    expect(runs.get("slow")).toBe(1);
    expect(most).toBe(1);
  });

  it("a message survives closing and reopening the database", async () => {
    const dir = tempDir();
    const first = await database(dir);
    await createSqliteMessageQueue(first).enqueue({ type: "fanout", activityId: "https://a.example/activities/1" });
    await first.close();
    orms.splice(orms.indexOf(first), 1);
    const second = await database(dir);
    const q = queueOn(second);
    expect(await q.depth()).toBe(1);
    expect(await receiveOne(q, "the stored message")).toEqual([
      { type: "fanout", activityId: "https://a.example/activities/1" },
    ]);
  });

  it("listen() redelivers a message whose handler was running when its process was killed", async () => {
    const dir = tempDir();
    await (await database(dir)).close();
    orms.splice(0);
    const orm = fileURLToPath(new URL("../db/orm.ts", import.meta.url));
    const queue = fileURLToPath(new URL("./queue.ts", import.meta.url));
    // A second node process: it claims the message, starts handling it and never finishes.
    const code = `
      const { openDatabase } = await import(${JSON.stringify(orm)});
      const { createSqliteMessageQueue } = await import(${JSON.stringify(queue)});
      const db = await openDatabase({
        dataDir: ${JSON.stringify(dir)},
        databaseUrl: ${JSON.stringify(activeDatabase().databaseUrlOf(dir))},
      });
      const q = createSqliteMessageQueue(db, { leaseMs: 1000, pollIntervalMs: 20 });
      await q.enqueue({ type: "outbox", inbox: "https://b.example/inbox" });
      await q.listen(() => { process.stdout.write("handling\\n"); return new Promise(() => {}); });
    `;
    const { child, stdout, stderr, exited } = spawnTsxChild(code);
    try {
      await poll(`the child to start handling (stderr: ${stderr()})`, () => stdout().includes("handling"), 20_000);
    } finally {
      child.kill("SIGKILL");
    }
    expect(await exited).toBe("SIGKILL");

    const db = await database(dir);
    const [claimed] = await rows(db);
    expect(claimed!.locked_until).not.toBeNull();
    const q = queueOn(db, { pollIntervalMs: 20 });
    expect(await receiveOne(q, "the redelivery")).toEqual([{ type: "outbox", inbox: "https://b.example/inbox" }]);
  });

  it("listen() resolves when its signal aborts, after the running handlers finish", async () => {
    const orm = await database();
    const q = queueOn(orm, { pollIntervalMs: 20 });
    const hold = gate();
    let started = false;
    const handled: string[] = [];
    const ac = new AbortController();
    let resolved = false;
    const listening = q
      .listen(
        async (m: string) => {
          started = true;
          await hold.promise;
          handled.push(m);
        },
        { signal: ac.signal },
      )
      .then(() => (resolved = true));
    await q.enqueue("in flight");
    await poll("the handler to start", () => started);
    ac.abort();
    await new Promise((r) => setTimeout(r, 50));
    expect(resolved).toBe(false);
    hold.open();
    await listening;
    expect(handled).toEqual(["in flight"]);
    expect(await q.depth()).toBe(0);
    // Nothing listens any more: a new message stays stored.
    await q.enqueue("after abort");
    await new Promise((r) => setTimeout(r, 100));
    expect(handled).toEqual(["in flight"]);
    expect(await q.depth()).toBe(1);
  });

  it("listen() returns at once for an aborted signal, and close() stops every listener", async () => {
    const orm = await database();
    const q = queueOn(orm, { pollIntervalMs: 60_000 });
    await q.listen(() => {}, { signal: AbortSignal.abort() });
    const first = q.listen(() => {});
    const second = q.listen(() => {});
    await q.close();
    await Promise.all([first, second]);
    await q.enqueue("kept");
    expect(await q.depth()).toBe(1);
    await q.listen(() => {});
    expect(await q.depth()).toBe(1);
  });
});

describe("releaseOrphanedLeases()", () => {
  it("releaseOrphanedLeases() makes messages claimed by a dead process due again at once", async () => {
    const orm = await openDatabase({ dataDir: ":memory:" });
    try {
      const queue = createSqliteMessageQueue(orm, { pollIntervalMs: 20, leaseMs: 3_600_000 });
      await queue.enqueue({ n: 1 });
      // A claim as a process killed mid-handler leaves it: locked for an hour.
      await orm.em
        .getKnex()("fedify_queue")
        .update({ locked_until: Date.now() + 3_600_000 });
      expect(await queue.releaseOrphanedLeases()).toBe(1);
      const seen: unknown[] = [];
      const controller = new AbortController();
      const listening = queue.listen(
        (m) => {
          seen.push(m);
          controller.abort();
        },
        { signal: controller.signal },
      );
      await listening;
      expect(seen).toEqual([{ n: 1 }]);
      await queue.close();
    } finally {
      await orm.close();
    }
  });
});

interface Received {
  headers: Record<string, string>;
  body: string;
}

/** An inbox on loopback that records what is POSTed to it. */
async function startInbox(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body: Buffer.concat(chunks).toString("utf8"),
      });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/inbox`, received, close: () => new Promise((r) => server.close(() => r())) };
}

/** A Fedify federation of one actor (`city`) whose keys live in `orm`, delivering through `queue`. */
function federationOn(orm: Orm, queue: SqliteMessageQueue) {
  const federation = createFederation<void>({
    kv: new MemoryKvStore(),
    queue,
    allowPrivateAddress: true,
    manuallyStartQueue: true,
  });
  const actorKeys = createActorKeys(orm);
  federation
    .setActorDispatcher(
      "/cities/{identifier}",
      (ctx, identifier) => new Organization({ id: ctx.getActorUri(identifier), preferredUsername: identifier }),
    )
    .setKeyPairsDispatcher(() => actorKeys());
  return federation;
}

/** Whether the recorded POST carries a valid HTTP signature by the RSA public key given. */
async function signedBy(inboxUrl: string, received: Received, publicKey: CryptoKey): Promise<boolean> {
  const request = new Request(inboxUrl, { method: "POST", headers: received.headers, body: received.body });
  const keyId = /keyId="([^"]+)"/.exec(received.headers.signature ?? "")?.[1];
  if (!keyId) return false;
  const keyDocument = await new CryptographicKey({
    id: new URL(keyId),
    owner: new URL(keyId.replace(/#.*/, "")),
    publicKey,
  }).toJsonLd();
  const key = await verifyRequest(request, {
    documentLoader: async (url) => ({ contextUrl: null, documentUrl: url, document: keyDocument }),
  });
  return key !== null;
}

describeEachDatabase("createSqliteMessageQueue() under Fedify's outbox", () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  async function setup() {
    const orm = await database(tempDir());
    const queue = queueOn(orm, { pollIntervalMs: 20 });
    const inbox = await startInbox();
    stops.push(inbox.close);
    const federation = federationOn(orm, queue);
    const ctx = federation.createContext(new URL("https://city.example"), undefined);
    const send = () =>
      ctx.sendActivity(
        { identifier: "city" },
        { id: new URL("https://peer.example/cities/peer"), inboxId: new URL(inbox.url) },
        new Create({
          id: new URL(`https://city.example/activities/${Math.random()}`),
          actor: ctx.getActorUri("city"),
          object: new Note({ content: "hello" }),
        }),
      );
    const ac = new AbortController();
    stops.push(async () => ac.abort());
    const start = () => void federation.startQueue(undefined, { signal: ac.signal });
    return { orm, inbox, send, start };
  }

  it("stores no private key of a pending delivery, and the delivery still goes out signed", async () => {
    const { orm, inbox, send, start } = await setup();
    await send();
    const pending = await rows(orm);
    expect(pending).toHaveLength(1);
    const message = JSON.parse(pending[0]!.message) as { type: string; keys: Record<string, unknown>[] };
    expect(message.type).toBe("outbox");
    // RSA (HTTP signature) and Ed25519 (integrity proof): both named by reference only.
    expect(message.keys).toHaveLength(2);
    for (const key of message.keys) {
      expect(key).not.toHaveProperty("privateKey");
      expect(key.privateKeyRef).toMatchObject({ thumbprint: expect.stringMatching(/^[\w-]{43}$/) });
    }
    expect(pending[0]!.message).not.toMatch(/"d"\s*:/);

    start();
    await poll("the delivery", () => inbox.received.length === 1);
    const [rsa] = await createActorKeys(orm)();
    expect(await signedBy(inbox.url, inbox.received[0]!, rsa!.publicKey)).toBe(true);
    expect(JSON.parse(inbox.received[0]!.body)).toHaveProperty("proof");
    await poll("the row to go", async () => (await rows(orm)).length === 0);
  });

  it("signs a delivery queued under a key rotated away since with the current key", async () => {
    const { orm, inbox, send, start } = await setup();
    const [old] = await createActorKeys(orm)();
    await send();
    await rotateActorKeys(orm);
    const [current] = await createActorKeys(orm)();
    start();
    await poll("the delivery", () => inbox.received.length === 1);
    expect(await signedBy(inbox.url, inbox.received[0]!, current!.publicKey)).toBe(true);
    expect(await signedBy(inbox.url, inbox.received[0]!, old!.publicKey)).toBe(false);
  });

  it("listen() removes the private keys an older version stored in rows", async () => {
    const orm = await database(tempDir());
    const q = queueOn(orm);
    const jwk = await exportJwk((await generateCryptoKeyPair("Ed25519")).privateKey);
    const legacy = {
      type: "outbox",
      keys: [{ keyId: "https://city.example/cities/city#key-2", privateKey: jwk }],
      inbox: "https://peer.example/inbox",
    };
    // Due in an hour: the row stays while we look at it.
    await orm.em
      .getKnex()("fedify_queue")
      .insert({
        message: JSON.stringify(legacy),
        deliver_at: Date.now() + 3_600_000,
        attempts: 0,
        created_at: Date.now(),
      });
    const ac = new AbortController();
    const listening = q.listen(() => {}, { signal: ac.signal });
    await poll("the row to be scrubbed", async () => !(await rows(orm))[0]!.message.includes('"privateKey"'));
    ac.abort();
    await listening;
    const [row] = await rows(orm);
    expect(row!.message).not.toContain(String(jwk.d));
    expect(JSON.parse(row!.message).keys[0]).toMatchObject({
      keyId: legacy.keys[0]!.keyId,
      privateKeyRef: { kty: "OKP" },
    });
  });
});
