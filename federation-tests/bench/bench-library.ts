/**
 * npm run bench:library — publish throughput (validate + sign + store + render), validation alone, and
 * get-by-id latency for 1,000 and 10,000 documents, with raw jose signing measured in
 * the same run as the yardstick. Real SQLite files (WAL) in a temp folder.
 *
 * Options: BENCH_SIZES=1000,10000  BENCH_BATCH=100  BENCH_ROUNDS=3
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { CompactSign } from "jose";
import type { KeyObject } from "node:crypto";
import { canonicalBytes } from "../../node/signing/jws.ts";
import { createTestLibrary } from "../../node/test-support.ts";
import { createApp } from "../../node/app.ts";
import { createLogger } from "../../node/log.ts";
import { generateCorpus } from "./corpus.ts";
import { createRenderPool } from "../../node/render/render-pool.ts";
import { fmt, median, percentile, printTable } from "./stats.ts";

const SIZES = (process.env.BENCH_SIZES ?? "1000,10000").split(",").map(Number);
const BATCH = Number(process.env.BENCH_BATCH ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LOOKUPS = 2000;

function withManaged(draft: Record<string, unknown>, i: number) {
  return {
    ...draft,
    id: `https://bench.example/items/${i}`,
    attributedTo: "https://bench.example/cities/x",
    published: "2026-01-01T00:00:00Z",
    updated: "2026-01-01T00:00:00Z",
    version: 1,
  };
}

async function rawSignRate(docs: Record<string, unknown>[], key: CryptoKey | KeyObject): Promise<number> {
  // Canonical bytes are made outside the timer: this is the bare cost of jose's EdDSA sign.
  const payloads = docs.map((d, i) => canonicalBytes(withManaged(d, i)));
  const t0 = performance.now();
  for (const p of payloads) await new CompactSign(p).setProtectedHeader({ alg: "EdDSA", kid: "k" }).sign(key);
  return payloads.length / ((performance.now() - t0) / 1000);
}

async function measure(size: number, corpus: Record<string, unknown>[]) {
  const dir = mkdtempSync(join(tmpdir(), "wego-bench-"));
  try {
    // Rendering on a worker thread, as a running node does.
    const pool = createRenderPool();
    const t = await createTestLibrary(undefined, join(dir, "data"), { render: pool.render });
    await t.keys.current();
    const signer = await t.keys.current();

    // Publish in batches (one transaction per batch), timed end to end.
    const t0 = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < size; i += BATCH) {
      const results = await t.library.createMany(corpus.slice(i, i + BATCH), { author: "bench" });
      for (const r of results) {
        if (!r.ok) throw new Error(`bench document rejected: ${JSON.stringify(r)}`);
        ids.push(r.item.id);
      }
    }
    const publishSeconds = (performance.now() - t0) / 1000;
    const publishRate = size / publishSeconds;

    // Single-document publishes (one transaction each) for comparison: 200 more items.
    const s0 = performance.now();
    for (let i = 0; i < 200; i++) await t.library.create(corpus[i % corpus.length], { author: "bench" });
    const singleRate = 200 / ((performance.now() - s0) / 1000);

    const signRate = await rawSignRate(corpus.slice(0, Math.min(2000, size)), signer.key);

    // Schema validation alone (what publishing does first), on the same documents.
    const sample = corpus.slice(0, Math.min(2000, size)).map(withManaged);
    const v0 = performance.now();
    for (const document of sample) if (!t.validator.validate(document).ok) throw new Error("bench document invalid");
    const validateRate = sample.length / ((performance.now() - v0) / 1000);

    // get-by-id: library call, and over HTTP through the Koa app on loopback.
    const pickIds = Array.from({ length: LOOKUPS }, (_, k) => ids[(k * 7919) % ids.length]!);
    const lib: number[] = [];
    for (const id of pickIds) {
      const g0 = performance.now();
      const item = await t.library.get(id);
      lib.push(performance.now() - g0);
      if (!item) throw new Error("missing item");
    }
    const app = createApp({ ...t, logger: createLogger("error", () => {}), maxBodyBytes: 1 << 20 });
    const server: Server = await new Promise((r) => {
      const s = app.listen(0, "127.0.0.1", () => r(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const http: number[] = [];
    for (const id of pickIds) {
      const g0 = performance.now();
      const res = await fetch(`${base}/api/items?id=${encodeURIComponent(id)}`);
      await res.arrayBuffer();
      http.push(performance.now() - g0);
    }
    server.close();
    await t.orm.close();
    await pool.close();
    return { publishRate, singleRate, signRate, validateRate, lib, http };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const maxSize = Math.max(...SIZES);
  const g0 = performance.now();
  const corpus = generateCorpus(maxSize);
  const avgBytes =
    corpus.slice(0, 500).reduce((n, d) => n + JSON.stringify(d).length, 0) / Math.min(500, corpus.length);
  console.log(`bench:library — Node ${process.version}, ${ROUNDS} round(s) per size, batches of ${BATCH}`);
  console.log(
    `corpus: ${fmt(maxSize)} drafts generated in ${fmt((performance.now() - g0) / 1000, 1)} s, mean ${fmt(avgBytes / 1024, 1)} KB of JSON each (bodies 500–3,000 words)\n`,
  );
  const rows: string[][] = [];
  for (const size of SIZES) {
    const rounds = [];
    for (let r = 0; r < ROUNDS; r++) rounds.push(await measure(size, corpus.slice(0, size)));
    const pub = median(rounds.map((x) => x.publishRate));
    const sign = median(rounds.map((x) => x.signRate));
    const lib = rounds.flatMap((x) => x.lib);
    const http = rounds.flatMap((x) => x.http);
    rows.push([
      fmt(size),
      fmt(pub),
      fmt(median(rounds.map((x) => x.singleRate))),
      fmt(sign),
      `${fmt((pub / sign) * 100, 1)} %`,
      fmt(median(rounds.map((x) => x.validateRate))),
      `${fmt(percentile(lib, 50), 2)} / ${fmt(percentile(lib, 95), 2)}`,
      `${fmt(percentile(http, 50), 2)} / ${fmt(percentile(http, 95), 2)}`,
    ]);
  }
  printTable(
    [
      "items",
      "publish docs/s (batched)",
      "publish docs/s (one by one)",
      "raw jose sign/s",
      "publish ÷ sign",
      "validate docs/s",
      "get-by-id p50/p95 ms (library)",
      "get-by-id p50/p95 ms (HTTP)",
    ],
    rows,
  );
  console.log(
    "\nmedians over rounds; latencies pooled over rounds. Aims: publish ≥ 500 docs/s batched; validation well over 1,000 docs/s; get-by-id p95 < 5 ms at 10,000 items.",
  );
}

await main();
