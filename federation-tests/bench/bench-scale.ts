/**
 * npm run bench:scale — every figure of issue 14's table in one run, each beside its
 * reference measured in the same run and the ratio, with the issue's aim:
 *  - backfill of N items between two node processes vs raw node:crypto Ed25519 verify of the
 *    same N payloads; RSS of the follower just after and 60 s later vs before; restart → first
 *    search answer vs the same node's first, empty start (bench:federation's runBackfill);
 *  - search p95 by query kind, with snippets and facets, at N and at 1,000, vs MiniSearch 7 on
 *    the same corpus and queries; peak RSS of the search process (bench:search's children);
 *  - verified ingest through the real HTTP inbox, 100 and 4 POSTs in flight, vs raw verify of
 *    the same payloads (bench:inbox's runInboxBench);
 *  - the search page under 10 connections vs one and vs a static route of the same app
 *    (bench:web's runWebBench).
 * Each part runs in a child process (its own process group) with a budget; a part that
 * overruns is stopped with every process it started, and its missing figures are printed as
 * "not measured: <why>". The whole run stops within BENCH_DEADLINE seconds.
 *
 * Options: BENCH_ITEMS=10000 (100000 when asked)  BENCH_OUT=<file.json>  BENCH_DEADLINE=600
 * (seconds; scaled with BENCH_ITEMS above 10,000)  BENCH_INBOX=1000  BENCH_SECONDS=5 (per
 * autocannon run)  BENCH_QUERIES=40 (per query kind)  BENCH_REST=60 (s the follower rests before
 * its RSS is read again)
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { type EngineResult, searchChildArgs } from "./bench-search.ts";
import {
  backfillFigureNames,
  inboxFigureNames,
  REST_SECONDS,
  runPart,
  searchFigureNames,
  searchFigures,
  webFigureNames,
} from "./scale-parts.ts";
import { type Figure, inOrder, type Missing, partBudget, printScaleRun, type ScaleRun } from "./scale-report.ts";
import { fmt } from "./stats.ts";

const ITEMS = Number(process.env.BENCH_ITEMS ?? 10_000);
const SCALE = Math.max(1, ITEMS / 10_000);
const DEADLINE_S = Number(process.env.BENCH_DEADLINE ?? 600 * SCALE);

/** What a part's child printed, and how it ended. */
interface PartOutcome {
  readonly figures: Figure[];
  readonly result?: EngineResult;
  /** Why it ended without finishing, if it did. */
  readonly failure?: string;
}

/** Process groups of running parts, stopped if this process is interrupted. */
const running = new Set<number>();

/** Runs `node <args>` as a process group with its own TMPDIR; stops the group after `budgetS`. */
function runChild(label: string, args: readonly string[], env: Record<string, string>, budgetS: number) {
  const tmp = mkdtempSync(join(tmpdir(), "wego-bench-scale-"));
  const figures: Figure[] = [];
  let result: EngineResult | undefined;
  let lastErr = "";
  return new Promise<PartOutcome>((resolve) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env, TMPDIR: tmp },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const pid = child.pid!;
    running.add(pid);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, budgetS * 1000);
    let buffer = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith("FIGURE ")) {
          // A later figure of the same name replaces a provisional one.
          const figure = JSON.parse(line.slice(7)) as Figure;
          const at = figures.findIndex((f) => f.name === figure.name);
          if (at === -1) figures.push(figure);
          else figures[at] = figure;
        } else if (line.startsWith("RESULT ")) result = JSON.parse(line.slice(7)) as EngineResult;
        else if (line.trim()) console.log(`  [${label}] ${line}`);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      lastErr = (lastErr + text).slice(-400);
      process.stderr.write(text.replace(/^(?=.)/gm, `  [${label}] `));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      running.delete(pid);
      // Whatever the part started and left behind (a node process after a crash) goes too.
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // nothing left
      }
      rmSync(tmp, { recursive: true, force: true });
      const failure = timedOut
        ? `its budget of ${fmt(budgetS)} s ran out`
        : code === 0
          ? undefined
          : `it failed (${signal ?? `exit ${code}`}): ${lastErr.trim().split("\n").at(-1) ?? ""}`;
      resolve({ figures, result, failure });
    });
  });
}

const tsx = import.meta.resolve("tsx");
const self = fileURLToPath(import.meta.url);

/** A part of the run: its nominal budget at 10,000 items (s), the figures it should give, how it runs. */
interface Part {
  readonly label: string;
  readonly budget: number;
  readonly names: readonly string[];
  run(budgetS: number): Promise<PartOutcome>;
}

const partChild = (name: string) => (budgetS: number) =>
  runChild(name, ["--import", tsx, self, "--part", name, String(ITEMS)], {}, budgetS);

const searchEnv = { BENCH_QUERIES: process.env.BENCH_QUERIES ?? "40", BENCH_INGEST: "0" };
const searchSizes = ITEMS === 1000 ? [ITEMS] : [ITEMS, 1000];
const searchResults = new Map<string, EngineResult>();
const searchParts: Part[] = searchSizes.flatMap((size) =>
  (["ours", "mini"] as const).map((engine) => ({
    label: `search ${engine} ${fmt(size)}`,
    budget: size === 1000 ? 25 : (engine === "ours" ? 100 : 40) * SCALE,
    // The figures come from the pair, once MiniSearch has run (see below).
    names: engine === "mini" ? searchFigureNames(size) : [],
    async run(budgetS: number) {
      const outcome = await runChild(this.label, searchChildArgs(engine, size), searchEnv, budgetS);
      if (outcome.result) searchResults.set(`${engine} ${size}`, outcome.result);
      if (engine === "ours") return outcome;
      const figures = searchFigures(size, searchResults.get(`ours ${size}`), searchResults.get(`mini ${size}`));
      return { ...outcome, figures };
    },
  })),
);

const backfill: Part = {
  label: "backfill",
  budget: 240 * SCALE,
  names: backfillFigureNames(ITEMS, REST_SECONDS),
  run: partChild("backfill"),
};
const inbox: Part = { label: "inbox", budget: 70, names: inboxFigureNames([100, 4]), run: partChild("inbox") };
const web: Part = { label: "web", budget: 90 * SCALE, names: webFigureNames(ITEMS), run: partChild("web") };
// The backfill runs last: it is the longest and the most variable part, and so gets whatever
// time the others leave unused. The table keeps the issue's order.
const PARTS: Part[] = [...searchParts, inbox, web, backfill];
const TABLE_ORDER = [backfill, ...searchParts, inbox, web].flatMap((p) => p.names);

async function main(): Promise<void> {
  const t0 = performance.now();
  const loadBefore = loadavg();
  console.log(
    `bench:scale — ${fmt(ITEMS)} items, Node ${process.version}, stops by itself after ${fmt(DEADLINE_S)} s; load average ${loadBefore.map((l) => l.toFixed(2)).join(" ")}`,
  );
  const figures: Figure[] = [];
  const notMeasured: Missing[] = [];
  for (const [i, part] of PARTS.entries()) {
    const remaining = DEADLINE_S - (performance.now() - t0) / 1000;
    const later = PARTS.slice(i + 1).reduce((sum, p) => sum + p.budget, 0);
    const budget = partBudget(part.budget, remaining, later);
    let outcome: PartOutcome;
    if (budget < 5) outcome = { figures: [], failure: "the run's deadline came before it started" };
    else {
      console.log(`\n${part.label}: up to ${fmt(budget)} s`);
      outcome = await part.run(budget);
    }
    figures.push(...outcome.figures);
    const got = new Set(outcome.figures.map((f) => f.name));
    for (const name of part.names)
      if (!got.has(name)) notMeasured.push({ name, why: outcome.failure ?? "its part gave no figure for it" });
  }
  const run: ScaleRun = {
    date: new Date().toISOString(),
    node: process.version,
    items: ITEMS,
    loadAverage: loadavg(),
    seconds: (performance.now() - t0) / 1000,
    figures: inOrder(figures, TABLE_ORDER),
    notMeasured,
  };
  console.log(
    `\nbench:scale — ${fmt(ITEMS)} items, ${fmt(run.seconds)} s, ${run.date}; load average before ${loadBefore.map((l) => l.toFixed(2)).join(" ")}, after ${run.loadAverage.map((l) => l.toFixed(2)).join(" ")}\n`,
  );
  printScaleRun(run);
  console.log(
    "\nraw Ed25519 verify: node:crypto verify() of the same signed payloads on one thread, signing inputs built before the clock starts; the ratio is the ingest's share of that floor.",
  );
  if (process.env.BENCH_OUT) {
    writeFileSync(process.env.BENCH_OUT, `${JSON.stringify(run, null, 2)}\n`);
    console.log(`\nwritten to ${process.env.BENCH_OUT}`);
  }
}

for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    for (const pid of running)
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    process.exit(130);
  });

const args = process.argv.slice(2);
if (args[0] === "--part") await runPart(args[1]!, Number(args[2]));
else await main();
