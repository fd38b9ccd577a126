/**
 * npm run bench:inbox — what a signed delivery through the real HTTP inbox costs: one
 * node process, one rogue peer it follows, and N distinct Create activities carrying
 * signed CaseStudy documents (built and JWS-signed before timing; the HTTP signature is
 * made per request by the peer, as a real deliverer does). Two phases on separate items:
 *  - 4 and 32 POSTs at a time: 202s per second, 429s, other answers, p50/p95 of the POST
 *    answer, and the time until every accepted item is stored (GET /api/items?type=CaseStudy);
 *  - references in the same run, 32 at a time: an unsigned POST of the same body (refused
 *    with 401) and GET /healthz.
 *
 * The inbox rate-limits each host (WEGO_INBOX_RATE, default 50/s, burst 500); a bench from
 * one host would measure the limit, so the node is started with WEGO_INBOX_RATE=100000
 * unless the environment sets it. Nodes that predate the setting ignore it.
 *
 * Options: BENCH_INBOX=2000 (items, split between the phases)  BENCH_INBOX_PHASES=4,32 (POSTs in flight per phase)
 * BENCH_PRESIGN=1 (make the HTTP signatures before each phase rather than as the POSTs go)
 * BENCH_PROFILE=<folder> (a CPU profile of the node's main thread, written when it stops)
 */
import { performance } from "node:perf_hooks";
import { generateCryptoKeyPair, signRequest } from "@fedify/fedify";
import type { JWK } from "jose";
import { api, createCluster, peerState, type CityNode } from "../federation/cluster.ts";
import { startRoguePeer, type RoguePeer } from "../federation/rogue-peer.ts";
import { poll } from "../support.ts";
import { fmt, percentile, printTable, runsAsScript } from "./stats.ts";

const N = Number(process.env.BENCH_INBOX ?? 2000);
const INBOX_RATE = process.env.WEGO_INBOX_RATE ?? "100000";
const PHASES = (process.env.BENCH_INBOX_PHASES ?? "4,32").split(",").map(Number);
const REFERENCE_CONCURRENCY = 32;
const PRESIGN = process.env.BENCH_PRESIGN === "1";
const PROFILE = process.env.BENCH_PROFILE;

/** One delivery's answer: its status and how long the POST took, in ms. */
interface Answer {
  readonly status: number;
  readonly ms: number;
}

/** ms the peer spends making one HTTP signature (RSA-SHA256, digest): part of every signed POST's latency here. */
async function signingCost(body: string): Promise<number> {
  const { privateKey } = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  const keyId = new URL("http://127.0.0.1/bench#key");
  const t0 = performance.now();
  for (let i = 0; i < 200; i++)
    await signRequest(new Request("http://127.0.0.1/inbox", { method: "POST", body }), privateKey, keyId);
  return (performance.now() - t0) / 200;
}

/** A CaseStudy by the rogue peer, distinct per index. */
function caseStudy(peer: RoguePeer, i: number): Record<string, unknown> {
  return peer.caseStudy(`Inbox bench case ${i}`, {
    summary: `Case ${i}: what a signed delivery costs.`,
    city: "Rogue City",
    body: `## Case ${i}\n\nWhat the city did, and what happened after. `.repeat(8),
    tags: ["bench"],
  });
}

/** Runs `count` requests, `concurrency` at a time; answers each one's status and latency. */
async function runPool(
  count: number,
  concurrency: number,
  send: (i: number) => Promise<number>,
): Promise<{ answers: Answer[]; seconds: number }> {
  const answers: Answer[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const s = performance.now();
        const status = await send(i).catch(() => 0);
        answers.push({ status, ms: performance.now() - s });
      }
    }),
  );
  return { answers, seconds: (performance.now() - t0) / 1000 };
}

async function caseStudyTotal(node: CityNode): Promise<number> {
  return (await api(node, "/api/items?type=CaseStudy&limit=1")).body.total as number;
}

function row(
  measure: string,
  concurrency: number,
  run: { answers: Answer[]; seconds: number },
  expected: number,
  stored?: { seconds: number; count: number },
): string[] {
  const count = (status: number) => run.answers.filter((a) => a.status === status).length;
  const other = run.answers.length - count(expected) - count(429);
  const ms = run.answers.map((a) => a.ms);
  return [
    measure,
    String(concurrency),
    fmt(run.answers.length),
    `${fmt(count(expected) / run.seconds)} (${expected})`,
    fmt(count(429)),
    fmt(other),
    fmt(percentile(ms, 50), 1),
    fmt(percentile(ms, 95), 1),
    stored ? `${fmt(stored.seconds, 2)} s` : "",
    stored ? fmt(stored.count / stored.seconds) : "",
  ];
}

/** Options of {@link runInboxBench}. */
export interface InboxBenchOptions {
  /** Items, split between the phases. */
  readonly items: number;
  /** POSTs in flight in each phase, one phase after another, each on its own items. */
  readonly phases: readonly number[];
  /** Make each delivery's HTTP signature before its phase starts rather than as it is sent. */
  readonly presign?: boolean;
  /** Also measure the references (unsigned POSTs, /healthz). */
  readonly references?: boolean;
  readonly log?: (line: string) => void;
}

/** One phase of {@link runInboxBench}: signed Creates POSTed `concurrency` at a time. */
export interface InboxPhase {
  readonly concurrency: number;
  readonly posted: number;
  readonly accepted: number;
  /** From the phase's first POST to the last accepted item listed, in s. */
  readonly storedSeconds: number;
}

/** What {@link runInboxBench} measured. */
export interface InboxBenchResult {
  readonly phases: readonly InboxPhase[];
  /** The table rows bench:inbox prints. */
  readonly rows: string[][];
  /** The Create activities POSTed, as sent (their signed payloads are the raw-verify floor's). */
  readonly bodies: readonly string[];
  /** The peer's published document-signing keys. */
  readonly keys: readonly JWK[];
  /** ms the peer spends making one HTTP signature. */
  readonly signMs: number;
}

/**
 * One node process following one peer, and the peer's signed Create activities POSTed to the
 * node's real HTTP inbox, phase by phase; an item counts once the node lists it.
 */
export async function runInboxBench(options: InboxBenchOptions): Promise<InboxBenchResult> {
  const { items: n, phases, log = console.log } = options;
  // The node process inherits this; only the node's config reads it.
  process.env.WEGO_INBOX_RATE = INBOX_RATE;
  const peer = await startRoguePeer();
  const cluster = createCluster();
  const rows: string[][] = [];
  const measured: InboxPhase[] = [];
  try {
    const node = await cluster.start("bench", {
      nodeArgs: PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE}`] : undefined,
    });
    const inbox = `${node.url}/cities/bench/inbox`;
    const followed = await api(node, "/api/peers", { json: { actor: peer.actorId.href } });
    if (followed.status !== 200) throw new Error(`follow failed: ${JSON.stringify(followed.body)}`);
    await poll(
      "the node to follow the peer",
      async () => (await peerState(node, { actor: peer.actorId.href } as CityNode)) === "following",
      60_000,
    );

    const b0 = performance.now();
    const bodies = await Promise.all(
      Array.from({ length: n + 1 }, async (_, i) => peer.createJson(caseStudy(peer, i))),
    );
    log(
      `built and signed ${fmt(bodies.length)} Create activities in ${fmt((performance.now() - b0) / 1000, 1)} s (${fmt(Buffer.byteLength(bodies[0]!))} bytes each)`,
    );
    const keys = ((await (await fetch(`${peer.origin}/.well-known/jwks.json`)).json()) as { keys: JWK[] }).keys;

    const signMs = await signingCost(bodies[0]!);
    // One untimed delivery: the node fetches and caches the peer's actor and key first.
    const warm = await peer.postSigned(inbox, bodies[n]!);
    if (warm.status !== 202) throw new Error(`warm-up delivery answered ${warm.status}: ${warm.text}`);
    await poll("the warm-up item to be stored", async () => (await caseStudyTotal(node)) === 1, 60_000);

    const share = Math.floor(n / phases.length);
    for (const [p, concurrency] of phases.entries()) {
      const list = bodies.slice(p * share, (p + 1) * share);
      // Signed before the clock starts: the peer's RSA signing would otherwise share the cores with the node.
      const presigned = options.presign ? await Promise.all(list.map((body) => peer.presign(inbox, body))) : undefined;
      const before = await caseStudyTotal(node);
      const t0 = performance.now();
      const run = await runPool(
        list.length,
        concurrency,
        async (i) => (await (presigned ? presigned[i]!.send() : peer.postSigned(inbox, list[i]!))).status,
      );
      const accepted = run.answers.filter((a) => a.status === 202).length;
      await poll(
        `${accepted} items to be stored`,
        async () => (await caseStudyTotal(node)) >= before + accepted,
        10 * 60_000,
        50,
      );
      const stored = { seconds: (performance.now() - t0) / 1000, count: accepted };
      measured.push({ concurrency, posted: list.length, accepted, storedSeconds: stored.seconds });
      rows.push(row("signed Create → 202", concurrency, run, 202, stored));
      log(
        `${concurrency} at a time: ${accepted}/${list.length} accepted in ${fmt(run.seconds, 2)} s, all stored after ${fmt(stored.seconds, 2)} s`,
      );
    }

    if (options.references !== false) {
      const refCount = Math.max(share, 500);
      const unsigned = await runPool(refCount, REFERENCE_CONCURRENCY, async (i) => {
        const res = await fetch(inbox, {
          method: "POST",
          headers: { "content-type": "application/activity+json" },
          body: bodies[i % n]!,
        });
        await res.arrayBuffer();
        return res.status;
      });
      rows.push(row("unsigned POST → 401", REFERENCE_CONCURRENCY, unsigned, 401));
      const health = await runPool(refCount, REFERENCE_CONCURRENCY, async () => {
        const res = await fetch(`${node.url}/healthz`);
        await res.arrayBuffer();
        return res.status;
      });
      rows.push(row("GET /healthz → 200", REFERENCE_CONCURRENCY, health, 200));
    }
    // A profiled node writes its profile when it exits on its own.
    if (PROFILE) await node.node.stop(60_000);
    return { phases: measured, rows, bodies: bodies.slice(0, n), keys, signMs };
  } finally {
    await peer.close();
    await cluster.stop();
  }
}

if (runsAsScript(import.meta.url)) {
  const { rows, signMs } = await runInboxBench({ items: N, phases: PHASES, presign: PRESIGN });
  console.log(
    `\nbench:inbox — Node ${process.version}, ${fmt(N)} items, node started with WEGO_INBOX_RATE=${INBOX_RATE}`,
  );
  console.log(
    PRESIGN
      ? `Signed POSTs were signed by the peer before each phase (${fmt(signMs, 2)} ms each, measured alone).`
      : `Signed POSTs are signed by the peer as they go (${fmt(signMs, 2)} ms each, measured alone), on the same machine as the node; their latency includes it.`,
  );
  console.log(
    "ok/s counts the expected answer (in brackets) per second of the phase; 429s are refusals by the inbox's rate limit, counted apart; \"stored\" runs from the phase's first POST to the last accepted item listed.\n",
  );
  printTable(
    ["measure", "conc.", "requests", "ok/s", "429s", "other", "p50 ms", "p95 ms", "all stored", "stored/s"],
    rows,
  );
}
