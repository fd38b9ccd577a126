/**
 * npm run bench:relevance — search quality on the seeds, measured against a judged query set
 * (relevance-judgments.json: what a person would expect, graded 2/1). Prints precision@5,
 * nDCG@10 and recall@10 per kind of query and overall, the answers that were not HTTP 200
 * (they score 0), the `notTop5` items that reached the first five, the mean number of results
 * (the tail a reader scrolls through) and the worst queries with what came back.
 * Prints figures; asserts nothing.
 *
 * The node is real: `wego serve` as a child process, queried only through the public
 * `GET /api/search?q=…&limit=10`, so the bench does not depend on the engine's internals. It
 * holds all three cities' seeds: every `seeds/<city>/*.json` of the checkout is copied into
 * one temporary `seeds/seoul/` folder (with Seoul's `files/`) and the node is started with
 * `WEGO_SEEDS_DIR` pointing there, so its ordinary seed-on-first-start path publishes every
 * seed (24 today). That is the simplest real way for one node to hold them: `wego demo` would start three
 * nodes and peer them, slower, and would measure federation as well as search. The items keep
 * their own `city` (Busan, Ulaanbaatar) because it is part of each document; only their origin
 * is the one node's. Before querying, the bench waits until an empty search lists as many items
 * as `/api/items` holds, so a node that is still building its index is not scored.
 *
 * Options:
 *   BENCH_BASELINE=/path/to/other/checkout  also start a node from that checkout (its own
 *       bin/wego.js and its own seeds/), run the same queries against it in the same run and
 *       print both side by side with the difference: the "before" and "after" of a change.
 *       The checkout needs its node_modules (`npm ci` there, or a link to these); the judged
 *       set is always this tree's.
 *   BENCH_WORST=10   how many of the worst queries (lowest nDCG@10) to list.
 *   BENCH_VERBOSE=1  print every query's score and first five results.
 */
import { cpSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { spawnNodeProcess, type NodeProcess } from "../../node/cli/supervisor.ts";
import { freePort, poll, removeDir, ROOT, tempDir } from "../support.ts";
import {
  isJudged,
  type JudgedQuery,
  loadJudgments,
  type QueryScore,
  type Summary,
  scoreAnswer,
  slugOf,
  summarise,
} from "./relevance-metrics.ts";
import { fmt, printTable } from "./stats.ts";

const BASELINE = process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE) : undefined;
const WORST = Number(process.env.BENCH_WORST ?? 10);
const VERBOSE = process.env.BENCH_VERBOSE === "1";

/** A checkout's node, running, and the folder of its data and seeds. */
interface SeededNode {
  readonly process: NodeProcess;
  readonly url: string;
  readonly dir: string;
}

/** Copies every city's seed documents of `checkout` into one `seeds/seoul/` under `dir`. */
function mergeSeeds(checkout: string, dir: string): string {
  const from = join(checkout, "seeds");
  const into = join(dir, "seeds", "seoul");
  mkdirSync(into, { recursive: true });
  const seen = new Set<string>();
  for (const city of readdirSync(from, { withFileTypes: true })) {
    if (!city.isDirectory()) continue;
    for (const file of readdirSync(join(from, city.name)).filter((f) => f.endsWith(".json"))) {
      if (seen.has(file)) throw new Error(`two cities of ${checkout} have a seed ${file}`);
      seen.add(file);
      cpSync(join(from, city.name, file), join(into, file));
    }
    const files = join(from, city.name, "files");
    if (existsSync(files)) cpSync(files, join(into, "files"), { recursive: true });
  }
  return join(dir, "seeds");
}

/** Starts `wego serve` from `checkout` holding all its cities' seeds; resolves once its index is complete. */
async function startSeededNode(checkout: string): Promise<SeededNode> {
  const dir = tempDir("relevance");
  const process_ = spawnNodeProcess({
    port: await freePort(),
    dataDir: join(dir, "data"),
    args: ["--city", "seoul"],
    bin: join(checkout, "bin", "wego.js"),
    cwd: checkout,
    env: { WEGO_SEEDS_DIR: mergeSeeds(checkout, dir), WEGO_SEED: "true", WEGO_LOG_LEVEL: "warn" },
  });
  const node: SeededNode = { process: process_, url: process_.url, dir };
  const { url } = node;
  const ready = poll(
    `${url} to index its seeds`,
    async () => {
      const items = (await (await fetch(`${url}/api/items?limit=1`)).json()) as { total: number };
      const res = await fetch(`${url}/api/search?limit=1`);
      const found = res.ok ? ((await res.json()) as { total: number }).total : -1;
      return items.total > 0 && found === items.total;
    },
    180_000,
    200,
  );
  const died = process_.exited.then(() => {
    throw new Error(`the node of ${checkout} exited before serving:\n${process_.output()}`);
  });
  try {
    await Promise.race([ready, died]);
  } catch (error) {
    await stopNode(node);
    throw error;
  }
  return node;
}

async function stopNode(node: SeededNode): Promise<void> {
  await node.process.stop(10_000);
  removeDir(node.dir);
}

/** Slugs of every item the node holds. */
async function heldSlugs(url: string): Promise<Set<string>> {
  const page = (await (await fetch(`${url}/api/items?limit=500`)).json()) as { items: { id: string }[] };
  return new Set(page.items.map((i) => slugOf(i.id)));
}

/** Runs one query through the public API; a failure to answer at all is status 0. */
async function runQuery(url: string, query: JudgedQuery): Promise<QueryScore & { error?: string }> {
  try {
    const res = await fetch(`${url}/api/search?q=${encodeURIComponent(query.q)}&limit=10`, {
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await res.json().catch(() => ({}))) as {
      total?: number;
      results?: { id: string }[];
      error?: string;
      details?: { message: string }[];
    };
    const slugs = (body.results ?? []).map((r) => slugOf(r.id));
    const score = scoreAnswer(query, { status: res.status, slugs, total: body.total ?? 0 });
    const error = res.ok ? undefined : [body.error, ...(body.details ?? []).map((d) => d.message)].join(": ");
    return { ...score, error };
  } catch (error) {
    return { ...scoreAnswer(query, { status: 0, slugs: [], total: 0 }), error: String(error) };
  }
}

/** Starts a checkout's node, runs every query, stops it. */
async function measure(label: string, checkout: string, queries: readonly JudgedQuery[]) {
  const started = Date.now();
  const node = await startSeededNode(checkout);
  try {
    const held = await heldSlugs(node.url);
    const missing = [...new Set(queries.flatMap((q) => Object.keys(q.judgments)))].filter((s) => !held.has(s));
    if (missing.length > 0) console.log(`! ${label}: judged items the node does not hold: ${missing.join(", ")}`);
    const scores = [];
    for (const query of queries) scores.push(await runQuery(node.url, query));
    console.log(`${label}: ${checkout}, ${held.size} items, ${fmt((Date.now() - started) / 1000, 1)} s`);
    return scores;
  } finally {
    await stopNode(node);
  }
}

const f2 = (n: number) => fmt(n, 3);
const signed = (n: number) => (n >= 0.0005 ? "+" : n <= -0.0005 ? "" : "±") + fmt(n, 3);

/** Groups scores by kind, in the judgment file's order, then overall. */
function byKind(scores: readonly QueryScore[]): [string, Summary][] {
  const kinds = [...new Set(scores.map((s) => s.query.kind))];
  return [
    ...kinds.map((k): [string, Summary] => [k, summarise(scores.filter((s) => s.query.kind === k))]),
    ["overall", summarise(scores)],
  ];
}

function printSummary(scores: readonly QueryScore[]): void {
  printTable(
    ["kind", "queries", "P@5", "nDCG@10", "R@10", "errors", "notTop5 hits", "results"],
    byKind(scores).map(([kind, s]) => [
      kind,
      String(s.queries),
      f2(s.precisionAt5),
      f2(s.ndcgAt10),
      f2(s.recallAt10),
      String(s.errors),
      String(s.forbiddenInTop5),
      fmt(s.results, 1),
    ]),
  );
}

function printComparison(before: readonly QueryScore[], after: readonly QueryScore[]): void {
  const a = new Map(byKind(after));
  printTable(
    [
      "kind",
      "n",
      "P@5 base",
      "this",
      "Δ",
      "nDCG@10 base",
      "this",
      "Δ",
      "R@10 base",
      "this",
      "Δ",
      "errors",
      "notTop5",
      "results",
    ],
    byKind(before).map(([kind, b]) => {
      const t = a.get(kind)!;
      return [
        kind,
        String(t.queries),
        f2(b.precisionAt5),
        f2(t.precisionAt5),
        signed(t.precisionAt5 - b.precisionAt5),
        f2(b.ndcgAt10),
        f2(t.ndcgAt10),
        signed(t.ndcgAt10 - b.ndcgAt10),
        f2(b.recallAt10),
        f2(t.recallAt10),
        signed(t.recallAt10 - b.recallAt10),
        `${b.errors} → ${t.errors}`,
        `${b.forbiddenInTop5} → ${t.forbiddenInTop5}`,
        `${fmt(b.results, 1)} → ${fmt(t.results, 1)}`,
      ];
    }),
  );
}

/** One line per query: its measures and its first five results, graded. */
function describe(score: QueryScore & { error?: string }): string {
  const { query } = score;
  const head = `  ${JSON.stringify(query.q)} (${query.kind})`;
  if (score.status !== 200) return `${head}: HTTP ${score.status} ${score.error ?? ""}`.trimEnd();
  const shown = score.slugs
    .slice(0, 5)
    .map(
      (s) => `${s}${query.judgments[s] ? `[${query.judgments[s]}]` : query.notTop5?.includes(s) ? "[must not]" : ""}`,
    );
  const wanted = Object.entries(query.judgments)
    .filter(([s, g]) => g === 2 && !score.slugs.includes(s))
    .map(([s]) => s);
  return [
    `${head}: nDCG@10 ${f2(score.ndcgAt10)}, P@5 ${f2(score.precisionAt5)}, ${score.total} results`,
    `      top 5: ${shown.join(", ") || "(none)"}`,
    ...(wanted.length ? [`      grade-2 items not in the top 10: ${wanted.join(", ")}`] : []),
  ].join("\n");
}

function printDetails(label: string, scores: readonly (QueryScore & { error?: string })[]): void {
  const judged = scores.filter((s) => isJudged(s.query));
  const worst = [...judged].sort((x, y) => x.ndcgAt10 - y.ndcgAt10 || x.precisionAt5 - y.precisionAt5).slice(0, WORST);
  console.log(`\nWorst ${worst.length} queries, ${label} (grade in brackets):`);
  for (const s of worst) console.log(describe(s));
  const unjudged = scores.filter((s) => !isJudged(s.query));
  if (unjudged.length > 0) {
    console.log(`\nQueries with nothing judged relevant (only their errors count), ${label}:`);
    for (const s of unjudged) console.log(describe(s));
  }
  if (VERBOSE) {
    console.log(`\nEvery query, ${label}:`);
    for (const s of scores) console.log(describe(s));
  }
}

async function main(): Promise<void> {
  const queries = loadJudgments();
  console.log(`${queries.length} judged queries (${queries.filter(isJudged).length} with relevant items)`);
  const after = await measure("this tree", ROOT, queries);
  if (BASELINE === undefined) {
    console.log("");
    printSummary(after);
    printDetails("this tree", after);
    return;
  }
  const before = await measure("baseline", BASELINE, queries);
  console.log("\nbaseline → this tree");
  printComparison(before, after);
  printDetails("baseline", before);
  printDetails("this tree", after);
}

await main();
