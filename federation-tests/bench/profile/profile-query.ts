/**
 * Times the search service's queries at N items on a library kept between runs, so a change
 * to the query path can be measured in seconds rather than rebuilt each time:
 * `node --import tsx federation-tests/bench/profile/profile-query.ts <folder> [items]`.
 * The first run fills `<folder>` (corpus and saved base); later runs load it. Prints p50/p95
 * per query kind with 20 results (snippets, facets) and with none (matching and facets only).
 * THREADS=1 (default) answers in a query thread, THREADS=0 on the main thread. Ends with the
 * process's RSS (a query thread's copy of the segments' terms and metadata is in it).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createSearchService } from "../../../node/search/service.ts";
import { createTestLibrary, TEST_IDENTITY } from "../../../node/test-support.ts";
import { loadCorpus } from "../load-corpus.ts";
import { fmt, percentile } from "../stats.ts";

const [folder, itemsArg] = process.argv.slice(2);
if (!folder) throw new TypeError("usage: profile-query.ts <folder> [items]");
const dataDir = join(folder, "data");
const fresh = !existsSync(dataDir);
const t = await createTestLibrary(TEST_IDENTITY, dataDir);
if (fresh) {
  await t.keys.current();
  await loadCorpus(t, Number(itemsArg ?? 10_000));
}
const threads = Number(process.env.THREADS ?? 1);
const search = await createSearchService({ orm: t.orm, library: t.library, dataDir, queryThreads: threads });
await search.settled();
// The query threads start on the first search; time them once they answer.
while (search.stats().queryThreads < threads) {
  await search.search({ q: "budget" });
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const words =
  "complaint response mobile survey center payment dataset spatial address permit license citizen participation budget council ordinance department office official digital platform system".split(
    " ",
  );
const kinds: Record<string, (a: string, b: string) => string> = {
  single: (a) => a,
  two: (a, b) => `${a} ${b}`,
  field: (a) => `title:${a}`,
  prefix: (a) => `${a.slice(0, 4)}*`,
  typo: (a) => a.slice(0, 2) + a.slice(3),
};
const rounds = Number(process.env.ROUNDS ?? 5);
for (const limit of [20, 0]) {
  const out: string[] = [];
  for (const [kind, make] of Object.entries(kinds)) {
    const times: number[] = [];
    for (let r = 0; r < rounds; r++)
      for (let i = 0; i < words.length; i++) {
        const q = make(words[i]!, words[(i * 7 + 3) % words.length]!);
        const t0 = performance.now();
        await search.search({ q, limit });
        times.push(performance.now() - t0);
      }
    out.push(`${kind} ${fmt(percentile(times, 50), 2)}/${fmt(percentile(times, 95), 2)}`);
  }
  console.log(`limit ${limit} p50/p95 ms: ${out.join("  ")}`);
}
const rssMb = (n: number) => fmt(n / 1024 / 1024);
const { rss, heapUsed } = process.memoryUsage();
console.log(
  `threads ${threads}: RSS ${rssMb(rss)} MB (main heap ${rssMb(heapUsed)} MB), peak ${fmt(process.resourceUsage().maxRSS / 1024)} MB`,
);
await search.close();
await t.orm.close();
