/**
 * A node at rest holding N items (default 10,000; a third of them a peer's), without the
 * backfill (bench:federation measures that, and takes minutes more): the library is written
 * straight into a data folder, `wego serve` starts on it (a real node process), builds its
 * search base from the database, and its memory is read when /readyz says ready, then 10, 30
 * and 60 s later. Then the node is restarted on the same folder (the saved base) and the time
 * from spawning it to its first search answer over HTTP is measured, with its memory 60 s on.
 *
 *   node --import tsx federation-tests/bench/profile/profile-rest.ts [items]
 */
import { performance } from "node:perf_hooks";
import { createTestLibrary, TEST_IDENTITY } from "../../../node/test-support.ts";
import { type NodeProcess, poll, removeDir, startNodeProcess, tempDir } from "../../support.ts";
import { loadCorpus } from "../load-corpus.ts";
import { memoryOf } from "../proc-memory.ts";
import { fmt } from "../stats.ts";

const SIZE = Number(process.argv[2] ?? 10_000);
const ARGS = ["--city", "busan", "--no-seed"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads the node's memory at each of `seconds` (from now). */
async function memoryAt(node: NodeProcess, label: string, seconds: readonly number[]): Promise<void> {
  const t0 = performance.now();
  for (const s of seconds) {
    await sleep(Math.max(0, t0 + s * 1000 - performance.now()));
    console.log(`${label}, ${s} s on: ${memoryOf(node.child.pid!)}`);
  }
}

const dir = tempDir("profile-rest");
const nodes: NodeProcess[] = [];
try {
  const t = await createTestLibrary(TEST_IDENTITY, dir);
  await loadCorpus(t, SIZE);
  await t.orm.close();
  console.log(`wrote ${fmt(SIZE)} items`);

  const s0 = performance.now();
  const first = await startNodeProcess({ dataDir: dir, args: ARGS });
  nodes.push(first);
  await poll("the search base", async () => (await fetch(`${first.url}/readyz`)).ok, 30 * 60_000, 100);
  console.log(`first start: ready (base built) ${fmt((performance.now() - s0) / 1000, 1)} s after spawning`);
  await memoryAt(first, "first start, ready", [0, 10, 30, 60]);
  await first.stop(60_000);

  const r0 = performance.now();
  const again = await startNodeProcess({ dataDir: dir, args: ARGS });
  nodes.push(again);
  const serving = performance.now() - r0;
  await poll("a search answer", async () => (await fetch(`${again.url}/api/search?q=complaint`)).ok, 5 * 60_000, 20);
  console.log(
    `restart: serving (/healthz) ${fmt(serving)} ms, first search answer ${fmt(performance.now() - r0)} ms after spawning`,
  );
  await memoryAt(again, "restart, answered", [0, 60]);
} finally {
  for (const n of nodes) await n.kill();
  removeDir(dir);
}
