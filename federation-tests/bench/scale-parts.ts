/**
 * The parts of bench:scale, each run in a child process of its own by bench-scale.ts (so a
 * part's peak RSS is its own and a part that overruns its budget can be stopped with every
 * process it started). Each part reuses a bench's measuring function and prints its figures
 * as `FIGURE <json>` lines as soon as they are measured, so that what was measured before a
 * budget ran out is kept.
 */
import { performance } from "node:perf_hooks";
import type { JWK } from "jose";
import { runWebBench } from "../web/bench-web.ts";
import { firstSearchAnswer, runBackfill } from "./bench-federation.ts";
import { rssOf } from "./proc-memory.ts";
import { runInboxBench } from "./bench-inbox.ts";
import { type EngineResult, KINDS, type Kind } from "./bench-search.ts";
import { payloadsOfActivities, prepareChecks, rawVerifyRate, type SignedPayload } from "./raw-verify.ts";
import type { Figure } from "./scale-report.ts";
import { fmt, percentile } from "./stats.ts";
import { type NodeProcess, removeDir, startNodeProcess, tempDir } from "../support.ts";

const MB = 2 ** 20;
/** How long the follower rests after the backfill before its RSS is read again (BENCH_REST, s). */
export const REST_SECONDS = Number(process.env.BENCH_REST ?? 60);
const RAW_VERIFY = "raw Ed25519 verify, same payloads";

/** Prints a figure for the parent process. */
export function emit(figure: Figure): void {
  process.stdout.write(`FIGURE ${JSON.stringify(figure)}\n`);
}

/** Names of the backfill part's figures, in the order it measures them. */
export function backfillFigureNames(items: number, restSeconds: number): string[] {
  const n = fmt(items);
  return [
    `backfill of ${n} items from a peer`,
    `RSS holding ${n} peer items, just after the backfill`,
    `RSS holding ${n} peer items, ${restSeconds} s later`,
    `restart → first search answer at ${n}`,
  ];
}

/**
 * The raw-verify floor on the payloads A published; the backfill between two node processes;
 * B's RSS just after it and over the next 60 s (A stopped); then B restarted on its library.
 */
export async function backfillPart(items: number, restSeconds: number): Promise<void> {
  const [backfillName, rssName, laterName, restartName] = backfillFigureNames(items, restSeconds);
  const base = tempDir("bench-scale");
  const nodes: NodeProcess[] = [];
  try {
    // The floor is timed before either node starts, while nothing else of this run uses the cores.
    let floor = Number.NaN;
    const onFilled = (payloads: readonly SignedPayload[], keys: readonly JWK[]) => {
      floor = rawVerifyRate(prepareChecks(payloads, keys));
    };
    const backfillFigure = (done: number, seconds: number, note: string): Figure => ({
      name: backfillName!,
      value: done / seconds,
      unit: "items/s",
      reference: RAW_VERIFY,
      referenceValue: floor,
      ratio: "percent",
      aim: items >= 100_000 ? "100,000 in < 100 s (> 1,000/s)" : "10,000 in < 10 s (> 1,000/s)",
      note,
    });
    // A provisional figure every 10 s, replaced by the final one: if the part's budget runs
    // out mid-walk, the rate so far is still reported, marked as such.
    let shown = 0;
    const onProgress = (done: number, seconds: number) => {
      if (done === 0 || seconds - shown < 10) return;
      shown = seconds;
      emit(backfillFigure(done, seconds, `unfinished: ${fmt(done)} of ${fmt(items)} items after ${fmt(seconds)} s`));
    };
    const run = await runBackfill({ items, base, nodes, onFilled, onProgress });
    emit(backfillFigure(run.total, run.seconds, `${fmt(run.total)} items in ${fmt(run.seconds, 1)} s`));
    const rssAim = items >= 100_000 ? "< 1.5 GB at 100,000" : "< 300 MB at 10,000";
    const beforeRef = "before the backfill";
    emit({
      name: rssName!,
      value: run.rssAfter / MB,
      unit: "MB",
      reference: beforeRef,
      referenceValue: run.rssBefore / MB,
      aim: rssAim,
    });
    await run.a.stop(30_000);
    const samples: number[] = [];
    const r0 = performance.now();
    while (performance.now() - r0 < restSeconds * 1000) {
      await new Promise((r) => setTimeout(r, 1000));
      samples.push(rssOf(run.b.child.pid!));
    }
    emit({
      name: laterName!,
      value: samples.at(-1)! / MB,
      unit: "MB",
      reference: beforeRef,
      referenceValue: run.rssBefore / MB,
      aim: rssAim,
      note: `highest of ${samples.length} samples a second apart: ${fmt(Math.max(...samples) / MB)} MB`,
    });

    await run.b.stop(60_000);
    const s0 = performance.now();
    const again = await startNodeProcess({ dataDir: run.dataB, args: ["--city", "busan", "--no-seed"] });
    nodes.push(again);
    const restartMs = await firstSearchAnswer(again, s0);
    emit({
      name: restartName!,
      value: restartMs,
      unit: "ms",
      reference: "its first start, empty",
      referenceValue: run.emptyStartMs,
      aim: "< 2 s at 100,000",
      note: `from spawning the process to its first 200 from /api/search; RSS 1 s after it ${fmt(rssOf(again.child.pid!) / MB)} MB`,
    });
  } finally {
    for (const n of nodes) await n.kill();
    removeDir(base);
  }
}

/** Names of the inbox part's figures. */
export function inboxFigureNames(phases: readonly number[]): string[] {
  return phases.map((c) => `verified ingest through the HTTP inbox, ${c} in flight`);
}

const INBOX_AIMS: Record<number, string> = { 100: "≥ 60 % of raw verify", 4: "≥ 50 % of raw verify" };

/** Signed Creates through the real inbox, phase by phase; the raw-verify floor on the same payloads. */
export async function inboxPart(items: number, phases: readonly number[]): Promise<void> {
  const result = await runInboxBench({ items, phases, references: false, presign: true });
  const floor = rawVerifyRate(prepareChecks(payloadsOfActivities(result.bodies), result.keys));
  const names = inboxFigureNames(phases);
  for (const [i, phase] of result.phases.entries()) {
    emit({
      name: names[i]!,
      value: phase.accepted / phase.storedSeconds,
      unit: "items/s",
      reference: RAW_VERIFY,
      referenceValue: floor,
      ratio: "percent",
      aim: INBOX_AIMS[phase.concurrency],
      note: `${fmt(phase.accepted)} of ${fmt(phase.posted)} accepted, all stored in ${fmt(phase.storedSeconds, 2)} s; HTTP signatures made before the phase`,
    });
  }
}

/** Names of the web part's figures. */
export function webFigureNames(items: number): string[] {
  const n = fmt(items);
  return [
    `search page p95, 10 connections, ${n} items`,
    `search page req/s, 10 connections vs one`,
    `search page req/s, 10 connections vs static route`,
  ];
}

/** The search page and a static route of the same app under autocannon, 1 and 10 connections. */
export async function webPart(items: number, seconds: number): Promise<void> {
  const { runs } = await runWebBench({ items, seconds, connections: [1, 10] });
  const one = runs.find((r) => r.connections === 1)!;
  const ten = runs.find((r) => r.connections === 10)!;
  const [p95Name, scaleName, staticName] = webFigureNames(items);
  emit({
    name: p95Name!,
    value: ten.page.p95,
    unit: "ms",
    reference: "static route, 10 connections",
    referenceValue: ten.hello.p95,
    aim: "< 50 ms",
    note: `one connection: p95 ${fmt(one.page.p95, 1)} ms (static ${fmt(one.hello.p95, 1)} ms); non-2xx answers ${ten.page.non2xx}`,
  });
  emit({
    name: scaleName!,
    value: ten.page.rps,
    unit: "req/s",
    reference: "one connection",
    referenceValue: one.page.rps,
    aim: "≥ 1.7× one connection",
  });
  emit({
    name: staticName!,
    value: ten.page.rps,
    unit: "req/s",
    reference: "static route, 10 connections",
    referenceValue: ten.hello.rps,
  });
}

/** Names of the search figures at one size. */
export function searchFigureNames(size: number): string[] {
  return [...KINDS.map((k) => searchName(k, size)), `peak RSS of the search part at ${fmt(size)}`];
}

const searchName = (kind: Kind, size: number) => `search p95, ${kind}, at ${fmt(size)}`;

/** The search figures at one size from bench:search's `ours` and `mini` children (either may be missing). */
export function searchFigures(size: number, ours?: EngineResult, mini?: EngineResult): Figure[] {
  if (!ours) return [];
  const aim =
    size >= 100_000
      ? "≤ 50 ms; faster than MiniSearch"
      : size >= 10_000
        ? "≤ 5 ms; faster than MiniSearch"
        : "faster than MiniSearch";
  const figures: Figure[] = KINDS.map((k, i) => ({
    name: searchName(k, size),
    value: percentile(ours.latencies[k], 95),
    unit: "ms",
    reference: "MiniSearch 7, same queries",
    referenceValue: mini ? percentile(mini.latencies[k], 95) : undefined,
    aim,
    note:
      i === 0
        ? `(every kind) ours: 20 results with snippets and facets through the search service, ${ours.latencies[k].length} queries a kind; MiniSearch 7: a bare index lookup, same corpus and queries`
        : undefined,
  }));
  figures.push({
    name: `peak RSS of the search part at ${fmt(size)}`,
    value: ours.rssMb,
    unit: "MB",
    reference: "MiniSearch 7's process",
    referenceValue: mini?.rssMb,
    aim: size === 10_000 ? "< 250 MB" : undefined,
    note: `ours: the node's SQLite library, index build and queries in one process (maxRSS); restart from the saved base → first answer ${fmt(ours.coldStartMs ?? Number.NaN)} ms in process`,
  });
  return figures;
}

/** Entry of a part's child process: `--part backfill|inbox|web <items>`. */
export async function runPart(part: string, items: number): Promise<void> {
  if (part === "backfill") await backfillPart(items, REST_SECONDS);
  else if (part === "inbox") await inboxPart(Number(process.env.BENCH_INBOX ?? 1000), [100, 4]);
  else if (part === "web") await webPart(items, Number(process.env.BENCH_SECONDS ?? 5));
  else throw new TypeError(`unknown part ${part}`);
}
