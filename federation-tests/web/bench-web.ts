/**
 * bench:web — the search page at 10,000 items against a static "hello" route served by the
 * same Koa app, in the same run, with autocannon. The node runs in a child process (the
 * real app: error edge, security headers, routers, sessions, search service over SQLite);
 * this process only generates load, so client and server do not share a thread.
 *
 *   npm run bench:web                 # 10,000 items, 10 s per route and concurrency
 *   BENCH_ITEMS=2000 BENCH_SECONDS=5 npm run bench:web
 *   BENCH_PROFILE=/tmp/prof npm run bench:web   # a CPU profile of the node's main thread
 *   BENCH_SEARCH_THREADS=0 npm run bench:web   # searches on the main thread (default: cores - 1, at most 4)
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import type { Middleware } from "koa";
import { createTestLibrary, TEST_IDENTITY } from "../../node/test-support.ts";
import { createSearchService } from "../../node/search/service.ts";
import { createApp } from "../../node/app.ts";
import { createLogger } from "../../node/log.ts";
import { loadCorpus } from "../bench/load-corpus.ts";
import { fmt, percentile, printTable, runsAsScript } from "../bench/stats.ts";

const ITEMS = Number(process.env.BENCH_ITEMS ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WORDS =
  "complaint response mobile survey center payment dataset spatial permit citizen participation budget council digital platform transparency traffic housing welfare health education environment safety policy pilot".split(
    " ",
  );
const TYPES = ["", "CaseStudy", "Pathway", "Dataset"];
/** The service's default: one fewer than the cores, at most 4. */
const THREADS = Number(process.env.BENCH_SEARCH_THREADS ?? Math.min(4, availableParallelism() - 1));

/** Child: loads the corpus, builds the index, serves the app plus /hello, prints the port. */
async function serve(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "wego-bench-web-"));
  const dataDir = join(dir, "data");
  const t = await createTestLibrary(TEST_IDENTITY, dataDir);
  await t.keys.current();
  await loadCorpus(t, ITEMS);
  const search = await createSearchService({ orm: t.orm, library: t.library, dataDir, queryThreads: THREADS });
  await search.settled();
  // Query threads start on the first search: measure once they answer.
  await search.search({ limit: 0 });
  while (search.stats().queryThreads < THREADS) await new Promise((r) => setTimeout(r, 50));
  process.stderr.write(`query threads: ${search.stats().queryThreads}\n`);
  const app = createApp({ ...t, search, logger: createLogger("error", () => {}), maxBodyBytes: 1024 * 1024 });
  const hello: Middleware = async (ctx, next) => {
    if (ctx.path !== "/hello") return next();
    ctx.type = "text/plain";
    ctx.body = "hello";
  };
  // After the error edge and the security headers, before the routers: the app's own floor.
  app.middleware.splice(2, 0, hello);
  const server = app.listen(0, "127.0.0.1", () => {
    const address = server.address();
    process.stdout.write(`PORT ${typeof address === "object" && address ? address.port : 0}\n`);
  });
  process.on("SIGTERM", () => {
    server.close();
    void search.close().finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

/** One autocannon run: latency percentiles in ms, requests per second, answers other than 2xx. */
export interface Run {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly rps: number;
  readonly non2xx: number;
}

function load(url: string, connections: number, seconds: number, paths: () => string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const instance = autocannon(
      { url, connections, duration: seconds, requests: [{ setupRequest: (req) => ({ ...req, path: paths() }) }] },
      (err, result) => {
        if (err) return reject(err);
        resolve({
          p50: percentile(latencies, 50),
          p95: percentile(latencies, 95),
          p99: percentile(latencies, 99),
          rps: result.requests.average,
          non2xx: result.non2xx,
        });
      },
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}

/** What {@link runWebBench} measured: for each number of connections, the static route and the search page. */
export interface WebBenchResult {
  readonly runs: readonly { readonly connections: number; readonly hello: Run; readonly page: Run }[];
}

/** Options of {@link runWebBench}. */
export interface WebBenchOptions {
  readonly items: number;
  /** Seconds per route and number of connections. */
  readonly seconds: number;
  readonly connections: readonly number[];
  readonly log?: (line: string) => void;
}

/**
 * The node in a child process holding `items` items; autocannon against its static /hello and
 * its search page, for each number of connections, after a warm-up of both.
 */
export async function runWebBench(options: WebBenchOptions): Promise<WebBenchResult> {
  const { items, seconds, log = console.log } = options;
  log(`bench:web — ${fmt(items)} items, ${seconds} s per run; building the library and its index…`);
  const child = spawn(
    process.execPath,
    [
      // BENCH_PROFILE=<folder>: a CPU profile of the node's main thread (performance.md).
      ...(process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
      "--import",
      import.meta.resolve("tsx"),
      fileURLToPath(import.meta.url),
      "--serve",
    ],
    {
      env: { ...process.env, BENCH_ITEMS: String(items) },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d) => {
        out += d;
        const m = /PORT (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once("exit", (code) => reject(new Error(`server exited (${code}) before listening`)));
    });
    const base = `http://127.0.0.1:${port}`;
    let n = 0;
    const searchPath = () => {
      n++;
      const qs = new URLSearchParams({ q: `${WORDS[n % WORDS.length]} ${WORDS[(n * 7) % WORDS.length]}` });
      const type = TYPES[n % TYPES.length];
      if (type) qs.set("type", type);
      return `/search?${qs}`;
    };
    // Warm up both routes (JIT, SQLite page cache).
    await load(base, 4, seconds, searchPath);
    await load(base, 4, seconds, () => "/hello");
    const runs: WebBenchResult["runs"][number][] = [];
    for (const connections of options.connections) {
      const hello = await load(base, connections, seconds, () => "/hello");
      const page = await load(base, connections, seconds, searchPath);
      runs.push({ connections, hello, page });
    }
    return { runs };
  } finally {
    child.kill("SIGTERM");
  }
}

async function main(): Promise<void> {
  const { runs } = await runWebBench({ items: ITEMS, seconds: SECONDS, connections: [1, 10] });
  const rows: string[][] = [];
  const ratios: string[] = [];
  for (const { connections, hello, page } of runs) {
    for (const [name, r] of [
      ["GET /hello (static)", hello],
      ["GET /search?q=…[&type=…]", page],
    ] as const) {
      rows.push([String(connections), name, fmt(r.p50, 2), fmt(r.p95, 2), fmt(r.p99, 2), fmt(r.rps), String(r.non2xx)]);
    }
    ratios.push(
      `${connections} connection${connections > 1 ? "s" : ""}: search page p95 is ${fmt(page.p95 / Math.max(hello.p95, 0.01), 1)}× hello's; p50 ${fmt(page.p50 / Math.max(hello.p50, 0.01), 1)}×; throughput ${fmt(page.rps / Math.max(hello.rps, 1), 3)}× (${page.p95 < 100 ? "under" : "OVER"} the 100 ms p95 bar)`,
    );
  }
  printTable(["conns", "route", "p50 ms", "p95 ms", "p99 ms", "req/s", "non-2xx"], rows);
  console.log("");
  for (const r of ratios) console.log(r);
}

if (process.argv.includes("--serve")) await serve();
else if (runsAsScript(import.meta.url)) await main();
