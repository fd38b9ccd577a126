/**
 * npm run bench:search — the search index at 1,000 and 10,000 items (BENCH_SIZES=…,50000
 * to add more), against the naive way to use lunr (one index rebuilt from scratch for each
 * change) and against MiniSearch 7, on the same generated corpus and the same queries.
 *
 * Each engine and size runs in its own child process, so that peak RSS is that engine's
 * (ours includes the node's SQLite and library; its corpus is written by a child of its own). Ours runs the real stack: the corpus
 * loaded into a SQLite file (WAL) in a temp folder, the search service with its worker
 * threads, probes and a stream of publishes through the library, restart from the saved
 * base. Prints figures; asserts nothing.
 *
 * Options: BENCH_SIZES=1000,10000  BENCH_QUERIES=100 (per query kind; lunr and MiniSearch run
 * at most 40 at 10,000+ items)  BENCH_NAIVE_REBUILDS (default 2, 1 at 10,000+)
 * BENCH_INGEST=500 (single publishes while the index listens)
 * BENCH_SNAPSHOT=<folder>: ours writes a heap snapshot of its main thread there once the
 * queries have run (see federation-tests/bench/profile/).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { writeHeapSnapshot } from "node:v8";
import lunr from "lunr";
import MiniSearch from "minisearch";
import { createTestLibrary, TEST_IDENTITY } from "../../node/test-support.ts";
import { createSearchService } from "../../node/search/service.ts";
import { FIELDS, FIELD_NAMES, toIndexDoc } from "../../node/search/documents.ts";
import { createRandom, generateCorpus, generateDraft } from "./corpus.ts";
import { loadCorpus } from "./load-corpus.ts";
import { fmt, percentile, printTable, runsAsScript } from "./stats.ts";

const SIZES = (process.env.BENCH_SIZES ?? "1000,10000").split(",").map(Number);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 100);
const PROBES = 20;
const INGEST = Number(process.env.BENCH_INGEST ?? 500);
/** lunr's and MiniSearch's queries take 100+ ms at 10,000 items: fewer of them there. */
const queriesFor = (size: number) => (size >= 10_000 ? Math.min(QUERIES, 40) : QUERIES);
/** Rebuilds measured for the naive baseline (each one is the whole index). */
const naiveRebuildsFor = (size: number) => Number(process.env.BENCH_NAIVE_REBUILDS ?? (size >= 10_000 ? 1 : 2));
export const KINDS = ["single term", "two terms", "field-scoped", "prefix", "typo"] as const;
/** A kind of query: each is measured apart. */
export type Kind = (typeof KINDS)[number];

/** Words of the corpus generator that queries are made of (5+ letters, so typos apply). */
const VOCABULARY = (
  "complaint response mobile survey center payment dataset spatial address permit license citizen participation budget " +
  "council ordinance department office official digital platform system integration network broadband security privacy " +
  "identity record archive transparency accountability performance indicator satisfaction feedback channel social sensor " +
  "traffic transport subway parking housing welfare health education school library environment quality water waste energy " +
  "emergency safety disaster weather forecast analysis policy proposal pilot adoption pathway deliverable prerequisite"
).split(" ");

interface QuerySpec {
  readonly kind: Kind;
  /** The query in lunr syntax (ours, naive lunr). */
  readonly lunr: string;
  /** The same for MiniSearch: text and options. */
  readonly mini: { text: string; options: Record<string, unknown> };
}

function makeQueries(count = QUERIES): QuerySpec[] {
  const rand = createRandom(42);
  const word = () => VOCABULARY[Math.floor(rand() * VOCABULARY.length)]!;
  const out: QuerySpec[] = [];
  for (let i = 0; i < count; i++) {
    const a = word();
    const b = word();
    const cut = 1 + Math.floor(rand() * (a.length - 2));
    const typo = a.slice(0, cut) + a.slice(cut + 1); // one letter dropped
    out.push(
      { kind: "single term", lunr: a, mini: { text: a, options: {} } },
      { kind: "two terms", lunr: `${a} ${b}`, mini: { text: `${a} ${b}`, options: {} } },
      { kind: "field-scoped", lunr: `title:${a}`, mini: { text: a, options: { fields: ["title"] } } },
      { kind: "prefix", lunr: `${a.slice(0, 4)}*`, mini: { text: a.slice(0, 4), options: { prefix: true } } },
      // Ours corrects typos by itself; naive lunr needs the explicit ~1.
      { kind: "typo", lunr: typo, mini: { text: typo, options: { fuzzy: 1 } } },
    );
  }
  return out;
}

function indexDocs(count: number) {
  return generateCorpus(count).map((document, i) =>
    toIndexDoc({
      id: `https://bench.example/items/${i}`,
      type: document.type as string,
      origin: "https://bench.example",
      local: true,
      verified: true,
      city: document.city as string,
      updated: "2026-01-01T00:00:00Z",
      published: "2026-01-01T00:00:00Z",
      document,
    }),
  );
}

/** Query latencies in ms by kind. */
export type Latencies = Record<Kind, number[]>;
const emptyLatencies = (): Latencies => ({
  "single term": [],
  "two terms": [],
  "field-scoped": [],
  prefix: [],
  typo: [],
});
const maxRssMb = () => process.resourceUsage().maxRSS / 1024;

/** What one child process reports. */
export interface EngineResult {
  engine: string;
  size: number;
  buildMs: number;
  coldStartMs?: number;
  settledAfterRestartMs?: number;
  latencies: Latencies;
  publishToSearchableMs: number[];
  hits: Record<Kind, number>;
  rssMb: number;
  notes: Record<string, number | string>;
}

async function runOurs(size: number): Promise<EngineResult> {
  const dir = mkdtempSync(join(tmpdir(), "wego-bench-search-"));
  const dataDir = join(dir, "data");
  try {
    const corpus = Array.from({ length: Math.max(PROBES, INGEST) }, (_, i) => generateDraft(i));
    // The corpus is written by another process: the peak RSS measured here is the node's
    // (library, SQLite, the search index and its threads), not the bench's loader's.
    tsxChild(["--load", dataDir, String(size)]);
    let t = await createTestLibrary(TEST_IDENTITY, dataDir);
    await t.keys.current();

    // First start: no saved base, so one is built from the database in the compaction worker.
    const b0 = performance.now();
    let search = await createSearchService({ orm: t.orm, library: t.library, dataDir });
    await search.settled();
    const buildMs = performance.now() - b0;
    const rssAfterBuild = maxRssMb();

    const queries = makeQueries();
    const latencies = emptyLatencies();
    const bare = emptyLatencies();
    const hits = { "single term": 0, "two terms": 0, "field-scoped": 0, prefix: 0, typo: 0 };
    for (const q of queries.slice(0, 25)) await search.search({ q: q.lunr }); // warm-up
    // Query threads start on the first search; measure once they answer (the service's default count).
    const threads = Math.min(4, availableParallelism() - 1);
    while (search.stats().queryThreads < threads) await new Promise((res) => setTimeout(res, 50));
    for (const q of queries) {
      const q0 = performance.now();
      const r = await search.search({ q: q.lunr, limit: 20 });
      latencies[q.kind].push(performance.now() - q0);
      hits[q.kind] += r.total;
      // limit 0: matching, scoring, filtering and facets, but no page and so no snippets.
      const z0 = performance.now();
      await search.search({ q: q.lunr, limit: 0 });
      bare[q.kind].push(performance.now() - z0);
    }

    const rssAfterQueries = maxRssMb();
    if (process.env.BENCH_SNAPSHOT) writeHeapSnapshot(join(process.env.BENCH_SNAPSHOT, `search-${size}.heapsnapshot`));
    // Publish → searchable, one probe at a time, each with a word no other item has.
    const publishToSearchableMs: number[] = [];
    for (let p = 0; p < PROBES; p++) {
      const word = `probe${p}x${Date.now().toString(36)}`;
      const r = await t.library.create({ ...corpus[p]!, title: `Kiosk ${word} pilot` }, { author: "bench" });
      if (!r.ok) throw new Error("probe rejected");
      const p0 = performance.now();
      while ((await search.search({ q: word })).total === 0) await new Promise((res) => setTimeout(res, 5));
      publishToSearchableMs.push(performance.now() - p0);
    }

    // A stream of single publishes through the library while the index listens.
    const before = search.stats();
    const i0 = performance.now();
    for (let n = 0; n < INGEST; n++) {
      const r = await t.library.create(corpus[n % corpus.length]!, { author: "bench" });
      if (!r.ok) throw new Error("ingest rejected");
    }
    const ingestMs = performance.now() - i0;
    const s0 = performance.now();
    await search.settled();
    const settleAfterIngestMs = performance.now() - s0;
    const after = search.stats();

    // Restart: the saved base is loaded; what changed since is caught up from item_versions.seq.
    await search.close();
    await t.orm.close();
    t = await createTestLibrary(TEST_IDENTITY, dataDir);
    const r0 = performance.now();
    // Waits for the index however long it takes (a loaded machine), rather than failing at 2 s.
    search = await createSearchService({ orm: t.orm, library: t.library, dataDir, readyWaitMs: 120_000 });
    await search.search({ q: "complaint" });
    const coldStartMs = performance.now() - r0;
    await search.settled();
    const settledAfterRestartMs = performance.now() - r0;
    const restarted = search.stats();
    await search.close();
    await t.orm.close();
    return {
      engine: "ours",
      size,
      buildMs,
      coldStartMs,
      settledAfterRestartMs,
      latencies,
      publishToSearchableMs,
      hits,
      rssMb: maxRssMb(),
      notes: {
        [`${INGEST} publishes one after another (s)`]: fmt(ingestMs / 1000, 1),
        "delta builds for them": after.deltaBuilds - before.deltaBuilds,
        "compactions for them": after.compactions - before.compactions,
        "settled after the last (ms)": fmt(settleAfterIngestMs),
        "restart loaded the saved base": String(restarted.loadedFromDisk),
        "peak RSS after build / after queries (MB)": `${fmt(rssAfterBuild)} / ${fmt(rssAfterQueries)}`,
        "p95 ms without snippets (single/two/field/prefix/typo)": KINDS.map((k) =>
          fmt(percentile(bare[k], 95), 1),
        ).join("/"),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function naiveBuild(docs: ReturnType<typeof indexDocs>): lunr.Index {
  // lunr as its README shows it: stock pipeline, every document added, then built.
  return lunr(function () {
    this.ref("ref");
    for (const f of FIELD_NAMES) this.field(f, { boost: FIELDS[f] });
    docs.forEach((d, i) => this.add({ ref: String(i), ...d.text }));
  });
}

async function runNaive(size: number): Promise<EngineResult> {
  const docs = indexDocs(size);
  const builds: number[] = [];
  let index!: lunr.Index;
  const rebuilds = naiveRebuildsFor(size);
  for (let k = 0; k < rebuilds; k++) {
    // Each change means a new index over everything (lunr cannot add to a built index).
    const b0 = performance.now();
    index = naiveBuild(docs.slice(0, size - rebuilds + k + 1));
    builds.push(performance.now() - b0);
  }
  const buildMs = builds[builds.length - 1]!;
  const queries = makeQueries(queriesFor(size));
  const latencies = emptyLatencies();
  const hits = { "single term": 0, "two terms": 0, "field-scoped": 0, prefix: 0, typo: 0 };
  for (const q of queries.slice(0, 25)) index.search(q.lunr);
  for (const q of queries) {
    const text = q.kind === "typo" ? `${q.lunr}~1` : q.lunr;
    const q0 = performance.now();
    const r = index.search(text);
    r.slice(0, 20);
    latencies[q.kind].push(performance.now() - q0);
    hits[q.kind] += r.length;
  }
  const s0 = performance.now();
  const json = JSON.stringify(index);
  const serializeMs = performance.now() - s0;
  const l0 = performance.now();
  lunr.Index.load(JSON.parse(json));
  const coldStartMs = performance.now() - l0;
  return {
    engine: "naive lunr",
    size,
    buildMs,
    coldStartMs,
    latencies,
    // Publishing one item = rebuilding everything: the rebuild is the time to searchable.
    publishToSearchableMs: builds,
    hits,
    rssMb: maxRssMb(),
    notes: {
      "serialized index (MB)": fmt(json.length / 1e6, 1),
      "serialize (ms)": fmt(serializeMs),
      [`${fmt(size)} one-by-one ingests, extrapolated (h)`]: fmt((size * buildMs) / 2 / 3.6e6, 1),
    },
  };
}

async function runMini(size: number): Promise<EngineResult> {
  const docs = indexDocs(size);
  const boost = Object.fromEntries(FIELD_NAMES.map((f) => [f, FIELDS[f]]));
  const make = () => new MiniSearch({ fields: [...FIELD_NAMES], idField: "ref", searchOptions: { boost } });
  const b0 = performance.now();
  const mini = make();
  mini.addAll(docs.map((d, i) => ({ ref: i, ...d.text })));
  const buildMs = performance.now() - b0;
  const queries = makeQueries(queriesFor(size));
  const latencies = emptyLatencies();
  const hits = { "single term": 0, "two terms": 0, "field-scoped": 0, prefix: 0, typo: 0 };
  for (const q of queries.slice(0, 25)) mini.search(q.mini.text, q.mini.options);
  for (const q of queries) {
    const q0 = performance.now();
    const r = mini.search(q.mini.text, q.mini.options);
    r.slice(0, 20);
    latencies[q.kind].push(performance.now() - q0);
    hits[q.kind] += r.length;
  }
  const publishToSearchableMs: number[] = [];
  for (let p = 0; p < PROBES; p++) {
    const p0 = performance.now();
    mini.add({ ref: size + p, ...docs[p]!.text });
    publishToSearchableMs.push(performance.now() - p0);
  }
  const json = JSON.stringify(mini);
  const l0 = performance.now();
  MiniSearch.loadJSON(json, { fields: [...FIELD_NAMES], idField: "ref" });
  const coldStartMs = performance.now() - l0;
  return {
    engine: "MiniSearch 7",
    size,
    buildMs,
    coldStartMs,
    latencies,
    publishToSearchableMs,
    hits,
    rssMb: maxRssMb(),
    notes: { "serialized index (MB)": fmt(json.length / 1e6, 1) },
  };
}

const ENGINES = { ours: runOurs, naive: runNaive, mini: runMini } as const;

async function child(engine: keyof typeof ENGINES, size: number): Promise<void> {
  const result = await ENGINES[engine](size);
  process.stdout.write(`\nRESULT ${JSON.stringify(result)}\n`);
}

/** An engine of this bench: ours, naive lunr, MiniSearch 7. */
export type Engine = keyof typeof ENGINES;

/** Node's arguments to run this script with `args` (tsx by absolute URL: a bare `--import tsx` resolves against the working directory). */
function scriptArgs(args: readonly string[]): string[] {
  return ["--import", import.meta.resolve("tsx"), fileURLToPath(import.meta.url), ...args];
}

/** Runs this script in a child process with `args`; its standard output. */
function tsxChild(args: readonly string[]): string {
  return execFileSync(process.execPath, scriptArgs(args), {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Writes items 0 to `size - 1` of the corpus into a node's database in `dataDir` (child process). */
async function loadInto(dataDir: string, size: number): Promise<void> {
  const t = await createTestLibrary(TEST_IDENTITY, dataDir);
  await t.keys.current();
  await loadCorpus(t, size);
  await t.orm.close();
}

/**
 * Node's arguments for one engine at one size in a child process of its own (its peak RSS is
 * that engine's); the child prints `RESULT <EngineResult JSON>` on a line of its own.
 */
export function searchChildArgs(engine: Engine, size: number): string[] {
  return scriptArgs(["--child", engine, String(size)]);
}

function runChild(engine: Engine, size: number): EngineResult {
  const out = tsxChild(["--child", engine, String(size)]);
  const line = out.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`${engine} at ${size} printed no result`);
  return JSON.parse(line.slice(7)) as EngineResult;
}

const ms = (v: number | undefined, d = 1) => (v === undefined ? "–" : fmt(v, d));
const p = (values: number[], q: number) => percentile(values, q);

async function main(): Promise<void> {
  console.log(
    `bench:search — Node ${process.version}, ${QUERIES} queries per kind (lunr and MiniSearch: at most 40 from 10,000 items), ${PROBES} publish probes, ${INGEST} streamed publishes`,
  );
  const all: EngineResult[] = [];
  for (const size of SIZES) {
    const t0 = performance.now();
    const rows: EngineResult[] = [];
    for (const engine of ["ours", "naive", "mini"] as const) {
      const r = runChild(engine, size);
      rows.push(r);
      all.push(r);
    }
    console.log(
      `\n## ${fmt(size)} items (corpus bodies 500–3,000 words; ${fmt((performance.now() - t0) / 1000)} s for this size)\n`,
    );
    printTable(
      [
        "engine",
        "build s",
        "cold start→1st answer ms",
        ...KINDS.map((k) => `${k} p50/p95 ms`),
        "publish→searchable p50 ms",
        "peak RSS MB",
      ],
      rows.map((r) => [
        r.engine,
        fmt(r.buildMs / 1000, 1),
        ms(r.coldStartMs, 0),
        ...KINDS.map((k) => `${fmt(p(r.latencies[k], 50), 2)} / ${fmt(p(r.latencies[k], 95), 2)}`),
        fmt(p(r.publishToSearchableMs, 50), 1),
        fmt(r.rssMb),
      ]),
    );
    const [ours, naive, mini] = rows as [EngineResult, EngineResult, EngineResult];
    console.log("\nratios (other ÷ ours; > 1 means ours is faster or smaller):");
    printTable(
      ["vs", "build", "cold start", ...KINDS.map((k) => `${k} p95`), "publish→searchable", "peak RSS"],
      [naive, mini].map((o) => [
        o.engine,
        fmt(o.buildMs / ours.buildMs, 2),
        fmt((o.coldStartMs ?? NaN) / (ours.coldStartMs ?? NaN), 2),
        ...KINDS.map((k) => fmt(p(o.latencies[k], 95) / p(ours.latencies[k], 95), 2)),
        fmt(p(o.publishToSearchableMs, 50) / p(ours.publishToSearchableMs, 50), 2),
        fmt(o.rssMb / ours.rssMb, 2),
      ]),
    );
    console.log("\nmatches per query kind (summed over queries; engines tokenize and correct typos differently):");
    printTable(
      ["engine", ...KINDS],
      rows.map((r) => [r.engine, ...KINDS.map((k) => fmt(r.hits[k]))]),
    );
    for (const r of rows)
      console.log(
        `${r.engine}: ${Object.entries(r.notes)
          .map(([k, v]) => `${k} ${v}`)
          .join("; ")}${r.settledAfterRestartMs ? `; restart→settled ${fmt(r.settledAfterRestartMs)} ms` : ""}`,
      );
  }
  const big = all.filter((r) => r.engine === "ours" && r.size === 10_000)[0];
  if (big) {
    const worst = Math.max(...KINDS.map((k) => p(big.latencies[k], 95)));
    console.log(
      `\nAims at 10,000 items: p95 < 30 ms for every kind (worst ${fmt(worst, 1)} ms), searchable < 2 s (p95 ${fmt(p(big.publishToSearchableMs, 95))} ms), restart to first answer < 3 s (${fmt(big.coldStartMs ?? NaN)} ms), RSS < 1 GB (${fmt(big.rssMb)} MB).`,
    );
  }
  console.log(
    "Latencies of ours are service.search() calls (20 results with snippets, facets); naive lunr and MiniSearch are bare index lookups.",
  );
}

const args = process.argv.slice(2);
if (args[0] === "--child") await child(args[1] as keyof typeof ENGINES, Number(args[2]));
else if (args[0] === "--load") await loadInto(args[1]!, Number(args[2]));
else if (runsAsScript(import.meta.url)) await main();
