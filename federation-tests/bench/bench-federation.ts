/**
 * npm run bench:federation — measured in one run on this machine:
 *  1. ingest throughput of verified peer items (verify JWS + origin binding + schema +
 *     store; rendering follows on the worker), its ratio to raw jose verify throughput on the
 *     same payloads, and how far behind rendering ended;
 *  2. time for a new follower to backfill 10,000 items from a peer (two node processes);
 *  3. RSS of the node holding those 10,000 peer items;
 *  4. fan-out time of one publication to 50 peer inboxes (50 loopback inbox servers).
 *
 * Options: BENCH_INGEST=2000  BENCH_BACKFILL=10000  BENCH_FANOUT=50  BENCH_ONLY=ingest|network
 * BENCH_DATABASE=sqlite|postgres|both: the nodes' database; `both` runs every measure on each,
 * side by side (BENCH_DATABASE_URL: a PostgreSQL server to use, else one is started; see
 * bench-databases.ts).
 * BENCH_PROFILE=<folder>: both node processes run with --cpu-prof and --heap-prof (files in
 * <folder>/a and <folder>/b, written when they stop), B writes a heap snapshot once at rest,
 * and the fan-out is skipped (see federation-tests/bench/profile/).
 */
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { compactVerify, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { Peer } from "../../node/db/entities.ts";
import { openDatabase } from "../../node/db/orm.ts";
import { createPeerStore } from "../../node/db/peer-store.ts";
import { ingestObject } from "../../node/federation/ingest.ts";
import { toArticle } from "../../node/federation/vocab.ts";
import { canonicalBytes, keyIdOf, signDetachedJws } from "../../node/signing/jws.ts";
import { createLogger } from "../../node/log.ts";
import { createTestLibrary } from "../../node/test-support.ts";
import { createRenderPool } from "../../node/render/render-pool.ts";
import type { StoredItem } from "../../node/library/library.ts";
import { createTokenFor, freePort, type NodeProcess, poll, removeDir, startNodeProcess, tempDir } from "../support.ts";
import { type BenchDatabase, benchDatabases, databaseArgs, testDatabaseOn } from "./bench-databases.ts";
import { generateCorpus } from "./corpus.ts";
import { memoryOf, rssOf } from "./proc-memory.ts";
import type { SignedPayload } from "./raw-verify.ts";
import { fmt, median, printTable, runsAsScript } from "./stats.ts";

const INGEST = Number(process.env.BENCH_INGEST ?? 2000);
const BACKFILL = Number(process.env.BENCH_BACKFILL ?? 10_000);
const FANOUT = Number(process.env.BENCH_FANOUT ?? 50);
const PROFILE = process.env.BENCH_PROFILE;
/** Node flags of a profiled node process: CPU and sampled heap profiles, a heap snapshot on SIGUSR2. */
const profileArgs = (dir: string) => [
  "--cpu-prof",
  `--cpu-prof-dir=${dir}`,
  "--heap-prof",
  `--heap-prof-dir=${dir}`,
  `--diagnostic-dir=${dir}`,
  "--heapsnapshot-signal=SIGUSR2",
];
const results: string[][] = [];
/** Added to each measure's name when several databases are measured: ` [sqlite]`, ` [postgres]`. */
let measuredOn = "";
const report = ([measure, ...rest]: string[]) => {
  const row = [`${measure}${measuredOn}`, ...rest];
  results.push(row);
  console.log(`${row[0]}: ${row[1]} (${row[2]})`);
};

async function benchIngest(database: BenchDatabase): Promise<void> {
  const dir = tempDir("bench-ingest");
  try {
    const origin = "http://origin.bench";
    const actorId = `${origin}/cities/origin`;
    const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), alg: "EdDSA" } as JWK;
    jwk.kid = await keyIdOf(jwk);
    const signer = { kid: jwk.kid, key: privateKey };
    const corpus = generateCorpus(INGEST, 7);
    const signed = await Promise.all(
      corpus.map(async (draft, i) => {
        const document = {
          ...draft,
          id: `${origin}/items/${i}`,
          attributedTo: actorId,
          published: "2026-01-01T00:00:00Z",
          updated: "2026-01-01T00:00:00Z",
          version: 1,
        };
        return { document, jws: await signDetachedJws(document, signer) };
      }),
    );
    const articles = signed.map((s) =>
      toArticle(
        {
          id: String(s.document.id),
          document: s.document,
          jws: s.jws,
          html: {},
          published: "2026-01-01T00:00:00Z",
          updated: "2026-01-01T00:00:00Z",
        } as unknown as StoredItem,
        { actorId: new URL(actorId), followersId: new URL(`${actorId}/followers`) },
      ),
    );

    // Raw jose verify over the same payloads: the yardstick.
    const key = await importJWK(jwk, "EdDSA");
    const compact = signed.map((s) => {
      const [h, , sig] = s.jws.split(".");
      return `${h}.${Buffer.from(canonicalBytes(s.document)).toString("base64url")}.${sig}`;
    });
    const v0 = performance.now();
    for (const c of compact) await compactVerify(c, key, { algorithms: ["EdDSA"] });
    const joseRate = compact.length / ((performance.now() - v0) / 1000);

    // Peers' Markdown is rendered at ingest, on the render worker as in a running node.
    const renderPool = createRenderPool();
    const t = await createTestLibrary(
      {
        origin: "http://receiver.bench",
        city: "receiver",
        name: "Receiver",
        country: "KR",
        actorId: "http://receiver.bench/cities/receiver",
      },
      join(dir, "data"),
      { render: renderPool.render, database: testDatabaseOn(database.name, await database.newDatabaseUrl()) },
    );
    const peers = createPeerStore(t.orm);
    await peers.remember({ actorId });
    await peers.update(actorId, { weFollow: "accepted" });
    const deps = {
      library: t.library,
      validator: t.validator,
      peers,
      loadKeys: async () => ({ ok: true as const, keys: [jwk] }),
      identity: t.identity,
      logger: createLogger("error", () => {}),
    };
    // Four at a time, as the inbox queue's workers deliver them; then a hundred at a
    // time, as a backfill page arrives. Fresh ids for each run.
    const runWith = async (concurrency: number, list: typeof articles) => {
      let next = 0;
      let stored = 0;
      const i0 = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < list.length) {
            const outcome = await ingestObject(deps, list[next++]!, new URL(actorId));
            if (outcome.ok && outcome.status === "stored") stored++;
          }
        }),
      );
      if (stored !== list.length) throw new Error(`only ${stored} of ${list.length} items ingested`);
      return list.length / ((performance.now() - i0) / 1000);
    };
    const half = Math.floor(articles.length / 2);
    const inboxRate = await runWith(4, articles.slice(0, half));
    const pageRate = await runWith(100, articles.slice(half));
    // Rendering follows ingest on the worker (the render backlog): how far behind it ended.
    const r0 = performance.now();
    await t.library.renderPending();
    const catchUp = performance.now() - r0;
    await t.library.close();
    await t.orm.close();
    await renderPool.close();
    report([
      "ingest, 4 deliveries at a time",
      `${fmt(inboxRate)} items/s`,
      `raw jose verify ${fmt(joseRate)}/s; ratio ${fmt((inboxRate / joseRate) * 100, 1)} %`,
      "≥ 1,000 items/s",
    ]);
    report([
      "ingest, 100 at a time (backfill page)",
      `${fmt(pageRate)} items/s`,
      `ratio to raw jose verify ${fmt((pageRate / joseRate) * 100, 1)} %`,
      "≥ 1,000 items/s",
    ]);
    report([
      "rendering caught up after the last ingest",
      `${fmt(catchUp)} ms`,
      `${fmt(articles.length)} versions rendered on the worker once ingest paused`,
      "—",
    ]);
  } finally {
    removeDir(dir);
  }
}

/**
 * Profile mode: B's memory every 5 s for a minute after the backfill (does it settle?), then
 * a heap snapshot of its main thread, then both nodes stop so their profiles are written.
 */
async function profileAtRest(b: NodeProcess, a: NodeProcess): Promise<void> {
  for (let s = 0; s <= 60; s += 5) {
    console.log(`B ${s} s after the backfill: ${memoryOf(b.child.pid!)}`);
    await new Promise((r) => setTimeout(r, 5000));
  }
  // The snapshot is written synchronously: B answers again once it is on disk.
  const s0 = performance.now();
  b.child.kill("SIGUSR2");
  await new Promise((r) => setTimeout(r, 500));
  await poll("B's heap snapshot", async () => (await fetch(`${b.url}/healthz`)).ok, 10 * 60_000, 500);
  console.log(`heap snapshot of B written in ${fmt((performance.now() - s0) / 1000, 1)} s`);
  for (const n of [a, b]) await n.stop(5 * 60_000);
}

/** Options of {@link runBackfill}. */
export interface BackfillOptions {
  /** Items A publishes and B backfills. */
  readonly items: number;
  /** Folder for both nodes' data (removed by the caller). */
  readonly base: string;
  /** Every node process started, so that the caller can stop them whatever happens. */
  readonly nodes: NodeProcess[];
  /** Node flags of A and of B (profiling). */
  readonly nodeArgs?: { readonly a?: readonly string[]; readonly b?: readonly string[] };
  /**
   * Called once A's library is filled, before either node starts, with the signed payloads A
   * published (what B will verify) and A's public keys: the moment for a raw-verify floor.
   */
  readonly onFilled?: (payloads: readonly SignedPayload[], keys: readonly JWK[]) => void | Promise<void>;
  /** Called at each poll of B's peer listing with the items it reports done and the seconds since the follow. */
  readonly onProgress?: (done: number, seconds: number) => void;
  readonly log?: (line: string) => void;
  /** The PostgreSQL databases of A and of B (`--database`); absent: SQLite in their data folders. */
  readonly databaseUrls?: { readonly a?: string; readonly b?: string };
}

/** What {@link runBackfill} measured, and the two nodes, still running. */
export interface BackfillRun {
  readonly a: NodeProcess;
  readonly b: NodeProcess;
  readonly originA: string;
  readonly dataB: string;
  /** Items B holds after the backfill. */
  readonly total: number;
  readonly seconds: number;
  /** B's RSS before it followed A, and once the backfill was done, in bytes. */
  readonly rssBefore: number;
  readonly rssAfter: number;
  /** From spawning B (an empty node) to its first search answer, in ms. */
  readonly emptyStartMs: number;
}

/** Waits until `node` answers a search (200), polling; ms since `t0`. */
export async function firstSearchAnswer(node: NodeProcess, t0: number, timeoutMs = 10 * 60_000): Promise<number> {
  await poll(
    "a search answer",
    async () => (await fetch(`${node.url}/api/search?q=complaint`).catch(() => null))?.status === 200,
    timeoutMs,
    50,
  );
  return performance.now() - t0;
}

/**
 * A new follower's backfill between two node processes: A's library filled with `items`
 * generated items before it starts (publishing is bench:library's subject), B started empty,
 * B follows A, and the clock runs until B's peer listing says the backfill is done.
 */
export async function runBackfill(options: BackfillOptions): Promise<BackfillRun> {
  const { items, base, nodes, log = console.log } = options;
  const portA = await freePort();
  const originA = `http://127.0.0.1:${portA}`;
  const dataA = join(base, "a");
  const fill0 = performance.now();
  const urls = options.databaseUrls ?? {};
  const lib = await createTestLibrary(
    { origin: originA, city: "aseoul", name: "Aseoul", country: "KR", actorId: `${originA}/cities/aseoul` },
    dataA,
    { database: testDatabaseOn(urls.a ? "postgres" : "sqlite", urls.a) },
  );
  const corpus = generateCorpus(items, 3);
  const payloads: SignedPayload[] = [];
  for (let i = 0; i < corpus.length; i += 200) {
    const written = await lib.library.createMany(corpus.slice(i, i + 200), { author: "bench" });
    if (options.onFilled)
      for (const w of written) if (w.ok) payloads.push({ document: w.item.document, jws: w.item.jws });
  }
  const keys = await lib.keys.publicKeys();
  await lib.orm.close();
  log(`filled A with ${fmt(items)} items in ${fmt((performance.now() - fill0) / 1000, 1)} s`);
  await options.onFilled?.(payloads, keys);

  const a = await startNodeProcess({
    dataDir: dataA,
    port: portA,
    args: ["--city", "aseoul", "--no-seed", "--auto-approve", ...databaseArgs(urls.a)],
    nodeArgs: options.nodeArgs?.a,
  });
  nodes.push(a);
  const dataB = join(base, "b");
  const s0 = performance.now();
  const b = await startNodeProcess({
    dataDir: dataB,
    args: ["--city", "busan", "--no-seed", ...databaseArgs(urls.b)],
    nodeArgs: options.nodeArgs?.b,
  });
  nodes.push(b);
  const emptyStartMs = await firstSearchAnswer(b, s0);
  const tokenB = createTokenFor(dataB, "admin", "admin", databaseArgs(urls.b));
  const rssBefore = rssOf(b.child.pid!);
  const b0 = performance.now();
  const follow = () =>
    fetch(`${b.url}/api/peers`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokenB}`, "content-type": "application/json" },
      body: JSON.stringify({ actor: `${originA}/cities/aseoul` }),
    });
  // `wego token` takes seconds under load, long enough for B to close the kept-alive socket
  // of the last poll just as this POST reuses it ("other side closed"): try once more. A
  // second follow of the same actor changes nothing.
  const res = await follow().catch(follow);
  if (!res.ok) throw new Error(`follow failed: ${await res.text()}`);
  await poll(
    "B to finish the backfill",
    async () => {
      const { peers } = (await (await fetch(`${b.url}/api/peers`)).json()) as {
        peers: { backfill: { state: string; done: number } }[];
      };
      const bf = peers[0]?.backfill;
      if (bf?.state === "failed") throw new Error("backfill failed");
      if (bf) options.onProgress?.(bf.done, (performance.now() - b0) / 1000);
      return bf?.state === "done";
    },
    60 * 60_000,
    250,
  );
  const seconds = (performance.now() - b0) / 1000;
  const total = ((await (await fetch(`${b.url}/api/items?limit=1`)).json()) as { total: number }).total;
  return { a, b, originA, dataB, total, seconds, rssBefore, rssAfter: rssOf(b.child.pid!), emptyStartMs };
}

async function benchBackfillAndFanout(database: BenchDatabase): Promise<void> {
  const base = tempDir("bench-fed");
  const servers: Server[] = [];
  const nodes: NodeProcess[] = [];
  try {
    const nodeArgs = PROFILE ? { a: profileArgs(join(PROFILE, "a")), b: profileArgs(join(PROFILE, "b")) } : undefined;
    const databaseUrls = { a: await database.newDatabaseUrl(), b: await database.newDatabaseUrl() };
    const {
      a,
      b,
      originA,
      dataB,
      total,
      seconds: backfillSeconds,
      rssBefore,
    } = await runBackfill({
      items: BACKFILL,
      base,
      nodes,
      nodeArgs,
      databaseUrls,
    });
    const dataA = join(base, "a");
    report([
      "backfill from a peer",
      `${fmt(backfillSeconds, 1)} s for ${fmt(total)} items`,
      `${fmt(total / backfillSeconds)} items/s`,
      "< 30 s for 10,000",
    ]);
    // Let the search index catch up before reading memory: a node at rest with the items.
    await new Promise((r) => setTimeout(r, 3000));
    report([
      "RSS of the node holding them",
      `${fmt(rssOf(b.child.pid!) / 2 ** 20)} MB`,
      `${fmt(rssBefore / 2 ** 20)} MB before the backfill`,
      "",
    ]);
    if (!PROFILE) {
      // At rest: the compaction after the backfill over, idle worker threads stopped (30 s).
      await new Promise((r) => setTimeout(r, 57_000));
      report(["RSS of the node 60 s after the backfill", memoryOf(b.child.pid!), "", "< 300 MB"]);
    }
    if (PROFILE) {
      await profileAtRest(b, a);
      // The same library after a restart: the saved search base, no build, no backfill.
      const again = await startNodeProcess({
        dataDir: dataB,
        args: ["--city", "busan", "--no-seed", ...databaseArgs(databaseUrls.b)],
      });
      nodes.push(again);
      await poll(
        "B's search after the restart",
        async () => (await fetch(`${again.url}/api/search?q=x`)).ok,
        120_000,
        250,
      );
      await new Promise((r) => setTimeout(r, 10_000));
      console.log(`RSS of B restarted on that library, 10 s after its first answer: ${memoryOf(again.child.pid!)}`);
      return;
    }

    // Fan-out: FANOUT inbox servers on loopback, registered as followers of A.
    const received = new Map<number, number>();
    const activityIds = new Set<string>();
    const inboxes: string[] = [];
    for (let i = 0; i < FANOUT; i++) {
      const server = createServer((req, resp) => {
        let body = "";
        req.on("data", (d) => (body += d));
        req.on("end", () => {
          try {
            const activity = JSON.parse(body) as { id?: string; type?: string };
            if (activity.type === "Create" && activity.id) {
              activityIds.add(activity.id);
              if (!received.has(i)) received.set(i, performance.now());
            }
          } catch {
            // not ours
          }
          resp.statusCode = 202;
          resp.end();
        });
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      servers.push(server);
      inboxes.push(`http://127.0.0.1:${(server.address() as { port: number }).port}/inbox`);
    }
    const orm = await openDatabase({ dataDir: dataA, databaseUrl: databaseUrls.a });
    const now = new Date().toISOString();
    await orm.em.fork().insertMany(
      Peer,
      inboxes.map((inbox, i) => ({
        actorId: inbox.replace("/inbox", `/users/p${i}`),
        host: new URL(inbox).host,
        inbox,
        sharedInbox: null,
        weFollow: "none",
        theyFollow: "accepted",
        backfillState: "idle",
        backfillDone: 0,
        backfillTotal: 0,
        createdAt: now,
        updatedAt: now,
      })),
    );
    await orm.close();
    const tokenA = createTokenFor(dataA, "editor", "editor", databaseArgs(databaseUrls.a));
    const runs: number[] = [];
    for (let round = 0; round < 3; round++) {
      received.clear();
      const f0 = performance.now();
      const posted = await fetch(`${originA}/api/items`, {
        method: "POST",
        headers: { authorization: `Bearer ${tokenA}`, "content-type": "application/json" },
        body: JSON.stringify({ ...generateCorpus(1, 100 + round)[0] }),
      });
      if (posted.status !== 201) throw new Error(`publish failed: ${await posted.text()}`);
      await poll(`all ${FANOUT} inboxes`, async () => received.size === FANOUT, 120_000, 20);
      runs.push(Math.max(...received.values()) - f0);
    }
    report([
      `fan-out to ${FANOUT} inboxes`,
      `${fmt(median(runs) / 1000, 2)} s (median of 3)`,
      `runs: ${runs.map((r) => fmt(r / 1000, 2)).join(", ")} s`,
      "< 5 s",
    ]);
  } finally {
    for (const s of servers) s.close();
    for (const n of nodes) await n.kill();
    removeDir(base);
  }
}

if (runsAsScript(import.meta.url)) {
  const only = process.env.BENCH_ONLY;
  const databases = await benchDatabases();
  try {
    for (const database of databases.list) {
      measuredOn = databases.list.length > 1 ? ` [${database.name}]` : "";
      if (!only || only === "ingest") await benchIngest(database);
    }
    for (const database of databases.list) {
      measuredOn = databases.list.length > 1 ? ` [${database.name}]` : "";
      if (!only || only === "network") await benchBackfillAndFanout(database);
    }
  } finally {
    databases.close();
  }
  console.log(`\nbench:federation — Node ${process.version}; ${databases.list.map((d) => d.name).join(" and ")}\n`);
  if (databases.postgresNote) console.log(`${databases.postgresNote}\n`);
  printTable(["measure", "result", "context", "aim"], results);
}
