import { readFile, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Orm } from "../db/orm.ts";
import type { Library, LibraryChange, StoredItem } from "../library/library.ts";
import type { Logger } from "../log.ts";
import type { DocMeta } from "./documents.ts";
import { IndexWorker } from "./index-worker-client.ts";
import { compileQuery, DEFAULT_QUERY_LIMITS, type QueryLimits } from "./query.ts";
import { QueryBudget, runQuery, type SegmentHits } from "./run-query.ts";
import { decodeSegments, Segment, type SegmentData } from "./segment.ts";
import { firstHit, leadSnippet, makeSnippet } from "./snippet.ts";
import { changedSince, currentDocuments, currentItems, liveIds, maxSeq, searchableItems } from "./source.ts";
import { stripMarkdown } from "./text.ts";
import type { WorkerRow } from "./worker-protocol.ts";

export { DEFAULT_QUERY_LIMITS, QueryError, type QueryErrorReason, type QueryLimits } from "./query.ts";

/** Options of {@link createSearchService}. */
export interface SearchServiceOptions {
  readonly orm: Orm;
  readonly library: Library;
  /** The node's data folder: the base index is kept in `<dataDir>/search/`. `":memory:"` keeps nothing on disk. */
  readonly dataDir: string;
  readonly logger?: Logger;
  /** How long changes gather before a delta build starts, in ms (default 50). */
  readonly flushDelayMs?: number;
  /** Compaction starts when the deltas hold this many documents and a quarter of the base (default 256). */
  readonly compactMinDocs?: number;
  /** …or when there are this many delta segments (default 32). */
  readonly compactMaxSegments?: number;
  /** The base is built and kept in pieces of this many documents, bounding a build's memory (default 2,000). */
  readonly baseChunkDocs?: number;
  /** Bounds on each query (length, terms, typos, wildcards, expansions, time); defaults in {@link DEFAULT_QUERY_LIMITS}. */
  readonly queryLimits?: Partial<QueryLimits>;
  /** A query that has run this long (ms) lets other work of the event loop in before its next segment (default 8). */
  readonly querySliceMs?: number;
}

/** A search request; an empty `q` with filters browses, newest first. */
export interface SearchQuery {
  /** Free text in lunr syntax: `+required -excluded field:term prefix*`. */
  readonly q?: string;
  readonly type?: string;
  readonly city?: string;
  /** A tag or a theme. */
  readonly tag?: string;
  /** A BCP 47 tag; `pt` also matches `pt-BR`. An item is in a language if written or translated in it. */
  readonly lang?: string;
  readonly year?: number;
  /** Results per page (default 20, at most 100). */
  readonly limit?: number;
  readonly offset?: number;
}

/** One search hit. */
export interface SearchResult {
  readonly id: string;
  readonly type: string;
  readonly title: string;
  readonly summary: string;
  readonly city: string;
  readonly origin: string;
  readonly local: boolean;
  readonly verified: boolean;
  readonly score: number;
  readonly language: string;
  readonly year: number | null;
  readonly updated: string;
  /** A passage with the matched words in `<mark>` (HTML, escaped); only for a text query. */
  readonly snippet?: string;
}

/** Counts per value; each facet ignores its own filter, so other choices stay visible. */
export interface SearchFacets {
  readonly type: Record<string, number>;
  readonly city: Record<string, number>;
  readonly tag: Record<string, number>;
  readonly lang: Record<string, number>;
  readonly year: Record<string, number>;
}

/** What {@link SearchService.search} answers. */
export interface SearchResponse {
  readonly total: number;
  readonly results: SearchResult[];
  readonly facets: SearchFacets;
}

/** Counters of the index, for tests and the benchmark. */
export interface SearchStats {
  /** Documents in the base (current or superseded). */
  readonly baseDocs: number;
  /** Pieces the base is kept in. */
  readonly baseSegments: number;
  readonly deltaSegments: number;
  readonly deltaDocs: number;
  /** Items searchable now. */
  readonly liveItems: number;
  /** `item_versions.seq` the base segment covers. */
  readonly baseSeq: number;
  /** Whether the base came from disk at start. */
  readonly loadedFromDisk: boolean;
  readonly compactions: number;
  readonly deltaBuilds: number;
  /** Distinct facet values interned (types, cities, tags, languages, years): bounded by the live index. */
  readonly facetValues: number;
}

/** Federated search over local and verified peer items. */
export interface SearchService {
  /** Runs a query; throws {@link QueryError} when lunr cannot parse `q` or it goes beyond a query limit. */
  search(query: SearchQuery): Promise<SearchResponse>;
  /** Resolves once every change announced so far is searchable. */
  settled(): Promise<void>;
  /** Rebuilds the base from the database now (normally automatic) and waits for it. */
  compact(): Promise<void>;
  stats(): SearchStats;
  /** Stops listening and the workers; nothing is written. */
  close(): Promise<void>;
}

/** Plain text around the first matched word of a Markdown body (stripping all of it is slow). */
function bodyWindow(markdown: string, matched: ReadonlySet<string>): string {
  const raw = markdown.slice(0, 50_000);
  const at = firstHit(raw, matched);
  if (at < 0) return "";
  let start = Math.max(0, at - 300);
  if (start > 0) start = raw.indexOf(" ", start) + 1;
  return (start > 0 ? "… " : "") + stripMarkdown(raw.slice(start, at + 700));
}

/** Largest page. */
export const MAX_LIMIT = 100;
const TAG_FACET_SIZE = 50;
/**
 * The saved base. Its name changes when what is indexed changes meaning, so an upgraded
 * node rebuilds instead of serving the old values: v2 files a peer's item under its
 * verified origin, where `base.segs` held the city its document claimed.
 */
const BASE_FILE = "base-v2.segs";
const FORMER_BASE_FILES = ["base.segs"];

interface Pointer {
  readonly seg: Segment;
  readonly doc: number;
}

interface Hit {
  readonly meta: DocMeta;
  readonly score: number;
}

/** Facet values of a segment's documents as small integers, so counting is array increments. */
interface SegmentFacets {
  readonly type: Int32Array;
  readonly city: Int32Array;
  /** -1 when the item has no year. */
  readonly year: Int32Array;
  readonly tags: readonly Int32Array[];
  readonly langs: readonly Int32Array[];
}

/** Interns facet values: one number per distinct string. */
class Dictionary {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }
}

type FacetName = keyof SearchFacets;
const FACET_NAMES: readonly FacetName[] = ["type", "city", "tag", "lang", "year"];

function headOf(item: StoredItem): WorkerRow {
  return {
    id: item.id,
    type: item.type,
    origin: item.origin,
    local: item.local,
    verified: item.verified,
    city: item.city,
    updated: item.updated,
    published: item.published,
    document: item.document,
  };
}

function fold(value: string): string {
  return value.normalize("NFKC").toLowerCase();
}

function langMatches(langs: readonly string[], wanted: string): boolean {
  const w = wanted.toLowerCase();
  return langs.some((l) => {
    const x = l.toLowerCase();
    return x === w || x.startsWith(`${w}-`);
  });
}

/** The first `k` of `items` in `order`: a bounded insertion, cheaper than sorting thousands of hits for one page. */
function topK<T>(items: readonly T[], k: number, order: (a: T, b: T) => number): T[] {
  if (k <= 0) return [];
  if (k > 500) return [...items].sort(order).slice(0, k);
  const top: T[] = [];
  for (const item of items) {
    if (top.length === k && order(item, top[k - 1]!) >= 0) continue;
    let i = top.length < k ? top.length : k - 1;
    while (i > 0 && order(item, top[i - 1]!) < 0) {
      top[i] = top[i - 1]!;
      i--;
    }
    top[i] = item;
  }
  return top;
}

function sortedCounts(counts: Int32Array, names: readonly string[], max = Infinity): Record<string, number> {
  const entries: [string, number][] = [];
  counts.forEach((n, id) => {
    if (n > 0) entries.push([names[id]!, n]);
  });
  entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return Object.fromEntries(entries.slice(0, max));
}

/**
 * Creates the search service: loads the persisted base segment (or builds one from the
 * database in a worker), catches up with changes written since, and from then on indexes
 * every change the library announces. Builds never run on the event loop.
 */
export async function createSearchService(options: SearchServiceOptions): Promise<SearchService> {
  const { orm, library } = options;
  const logger = options.logger;
  const flushDelay = options.flushDelayMs ?? 50;
  const compactMinDocs = options.compactMinDocs ?? 256;
  const compactMaxSegments = options.compactMaxSegments ?? 32;
  const baseChunkDocs = options.baseChunkDocs ?? 2000;
  const queryLimits: QueryLimits = { ...DEFAULT_QUERY_LIMITS, ...options.queryLimits };
  const querySliceMs = options.querySliceMs ?? 8;
  const file = options.dataDir === ":memory:" ? undefined : join(options.dataDir, "search", BASE_FILE);

  // Started on first use: booting a worker (tsx, lunr) costs a second or two of CPU, which
  // a node that only loads its saved base and serves should not pay at start.
  let deltaWorkerInstance: IndexWorker | undefined;
  let corpusParts: SegmentData[] | undefined;
  function deltaWorker(): IndexWorker {
    if (!deltaWorkerInstance) {
      deltaWorkerInstance = new IndexWorker("wego-search-delta");
      if (corpusParts) deltaWorkerInstance.setCorpus(corpusParts);
    }
    return deltaWorkerInstance;
  }
  function setCorpus(parts: SegmentData[]): void {
    corpusParts = parts;
    deltaWorkerInstance?.setCorpus(parts);
  }
  let compactWorker: IndexWorker | undefined;

  /** The base's pieces: built together by one compaction, saved together. */
  let base: Segment[] = [];
  let baseSeq = 0;
  let segments: Segment[] = [];
  const current = new Map<string, Pointer>();
  /** Generation of the last change seen per item: a build result only applies if still the latest. */
  const lastGen = new Map<string, number>();
  let gen = 0;
  const pending = new Map<string, { row: WorkerRow; gen: number }>();
  let flushTimer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  let compacting: Promise<void> | undefined;
  let starting: Promise<void> | undefined;
  let closed = false;
  let loadedFromDisk = false;
  let compactions = 0;
  let deltaBuilds = 0;

  function point(id: string, to: Pointer | undefined): void {
    const old = current.get(id);
    if (old) old.seg.live--;
    if (to) {
      to.seg.live++;
      current.set(id, to);
    } else current.delete(id);
  }

  function prune(): void {
    segments = segments.filter((s) => s.live > 0);
  }

  function noteStored(row: WorkerRow): void {
    const g = ++gen;
    lastGen.set(row.id, g);
    pending.set(row.id, { row, gen: g });
  }

  function noteRemoved(id: string): void {
    lastGen.set(id, ++gen);
    pending.delete(id);
    point(id, undefined);
  }

  function onChanges(changes: readonly LibraryChange[]): void {
    if (closed) return;
    for (const change of changes) {
      if (change.kind === "deleted") noteRemoved(change.id);
      else if (change.item.deleted || !change.item.verified) noteRemoved(change.item.id);
      else noteStored(headOf(change.item));
    }
    prune();
    scheduleFlush();
  }

  function scheduleFlush(delay = flushDelay): void {
    if (closed || flushTimer || flushing || pending.size === 0) return;
    flushTimer = setTimeout(flush, delay);
  }

  function flush(): void {
    flushTimer = undefined;
    if (closed || flushing || pending.size === 0) return;
    const batch = [...pending.values()];
    pending.clear();
    flushing = (async () => {
      try {
        const seg = new Segment(await deltaWorker().build(batch.map((b) => b.row)));
        deltaBuilds++;
        if (closed) return;
        batch.forEach((b, doc) => {
          if (lastGen.get(b.row.id) === b.gen) point(b.row.id, { seg, doc });
        });
        if (seg.live > 0) segments.push(seg);
        prune();
      } catch (error) {
        if (closed) return;
        logger?.error("search: delta build failed; rebuilding the base from the database instead", { error: String(error) });
        void compact();
      }
    })().finally(() => {
      flushing = undefined;
      if (pending.size > 0) scheduleFlush(0);
      else maybeCompact();
    });
  }

  function deltaSize(): { docs: number; segs: number } {
    let docs = 0;
    let segs = 0;
    for (const s of segments) {
      if (base.includes(s)) continue;
      docs += s.size;
      segs++;
    }
    return { docs, segs };
  }

  function maybeCompact(): void {
    if (closed || compacting) return;
    const { docs, segs } = deltaSize();
    const threshold = Math.max(compactMinDocs, Math.floor(base.reduce((n, s) => n + s.size, 0) / 4));
    if (docs >= threshold || segs >= compactMaxSegments) void compact();
  }

  /** Builds a new base from the database in the compaction worker and swaps it in. */
  function compact(): Promise<void> {
    if (closed) return Promise.resolve();
    if (compacting) return compacting;
    compacting = (async () => {
      const startGen = gen;
      const replaced = new Set(segments);
      const seq = await maxSeq(orm);
      compactWorker ??= new IndexWorker("wego-search-compact");
      const build = compactWorker.begin(baseChunkDocs);
      for await (const rows of searchableItems(orm)) {
        if (closed) break;
        build.add(rows);
      }
      const parts = await build.end({ file, extra: { seq } });
      if (closed) return;
      swapBase(parts.map((d) => new Segment(d)), seq, startGen, replaced);
      compactions++;
    })()
      .catch((error) => {
        if (!closed) logger?.error("search: compaction failed; the current segments keep serving", { error: String(error) });
      })
      .finally(() => {
        compacting = undefined;
        // A big base takes most of the memory of a build: let an idle compaction thread go.
        const w = compactWorker;
        compactWorker = undefined;
        void w?.close();
      });
    return compacting;
  }

  function swapBase(parts: Segment[], seq: number, startGen: number, replaced: ReadonlySet<Segment>): void {
    // The base was read after `startGen`: it is at least as new as every change up to it.
    const inBase = new Set<string>();
    for (const seg of parts) {
      seg.data.metas.forEach((meta, doc) => {
        inBase.add(meta.id);
        if ((lastGen.get(meta.id) ?? 0) <= startGen) point(meta.id, { seg, doc });
      });
    }
    for (const [id, ptr] of current) {
      // Gone from the database by the time it was read, and not changed since: gone.
      if (replaced.has(ptr.seg) && !inBase.has(id) && (lastGen.get(id) ?? 0) <= startGen) point(id, undefined);
    }
    base = parts;
    baseSeq = seq;
    resetFacets();
    setCorpus(parts.map((s) => s.data));
    segments = [...parts, ...segments.filter((s) => !parts.includes(s))];
    prune();
  }

  async function loadBase(): Promise<boolean> {
    if (!file) return false;
    let buf: Buffer;
    try {
      buf = await readFile(file);
    } catch {
      return false;
    }
    const decoded = decodeSegments(buf);
    const seq = Number(decoded?.extra.seq);
    if (!decoded || !Number.isFinite(seq) || seq > (await maxSeq(orm))) {
      logger?.warn("search: the saved index does not match this database; rebuilding it", { file });
      return false;
    }
    const parts = decoded.parts.map((d) => new Segment(d));
    for (const seg of parts) {
      seg.data.metas.forEach((meta, doc) => {
        // A change announced while the file was read is newer than the file.
        if (!lastGen.has(meta.id)) point(meta.id, { seg, doc });
      });
    }
    base = parts;
    baseSeq = seq;
    setCorpus(decoded.parts);
    segments = [...parts];
    prune();
    return true;
  }

  /** Indexes what changed in the database since the base was saved. */
  async function catchUp(): Promise<void> {
    const ids = new Set(await changedSince(orm, baseSeq));
    // Items removed without a new version (a blocked peer's purge) leave no seq behind.
    const live = await liveIds(orm);
    for (const id of current.keys()) if (!live.has(id)) ids.add(id);
    const rows = await currentItems(orm, [...ids]);
    for (const [id, row] of rows) {
      if (row) noteStored(row);
      else noteRemoved(id);
    }
    prune();
    scheduleFlush(0);
  }

  const unsubscribe = library.subscribe(onChanges);
  starting = (async () => {
    if (file) for (const former of FORMER_BASE_FILES) await rm(join(dirname(file), former), { force: true });
    loadedFromDisk = await loadBase();
    if (loadedFromDisk) await catchUp();
    else await compact();
  })()
    .catch((error) => {
      if (!closed) logger?.error("search: start-up failed", { error: String(error) });
    })
    .finally(() => (starting = undefined));

  const newDictionaries = () => ({ type: new Dictionary(), city: new Dictionary(), tag: new Dictionary(), lang: new Dictionary(), year: new Dictionary() });
  let dictionaries = newDictionaries();
  let segmentFacets = new WeakMap<Segment, SegmentFacets>();

  /**
   * Starts the facet values afresh when a new base comes in: interned values otherwise
   * grow with every tag ever seen (also of items long gone), and each query counts over all.
   */
  function resetFacets(): void {
    dictionaries = newDictionaries();
    segmentFacets = new WeakMap();
  }

  function facetsOf(seg: Segment): SegmentFacets {
    let f = segmentFacets.get(seg);
    if (!f) {
      const metas = seg.data.metas;
      f = {
        type: Int32Array.from(metas, (m) => dictionaries.type.id(m.type)),
        city: Int32Array.from(metas, (m) => dictionaries.city.id(m.city)),
        year: Int32Array.from(metas, (m) => (m.year === null ? -1 : dictionaries.year.id(String(m.year)))),
        tags: metas.map((m) => Int32Array.from(m.tags, (t) => dictionaries.tag.id(t))),
        langs: metas.map((m) => Int32Array.from(m.langs, (l) => dictionaries.lang.id(l))),
      };
      segmentFacets.set(seg, f);
    }
    return f;
  }

  /** Hits as parallel arrays (segment, document, score): thousands per query, no object each. */
  interface Hits {
    segs: Segment[];
    docs: number[];
    scores: number[];
  }

  async function collectHits(q: string): Promise<{ hits: Hits; matched: Set<string> } | null> {
    const compiled = compileQuery(q, queryLimits);
    if (compiled.clauses.length === 0) return null;
    // One budget for every segment: expansions are counted and time is spent over the whole index.
    const budget = new QueryBudget(queryLimits);
    const results = new Map<Segment, SegmentHits>();
    for (let todo = segments; ; todo = segments.filter((seg) => !results.has(seg))) {
      if (todo.length === 0) break;
      for (const seg of todo) {
        results.set(seg, runQuery(seg, compiled, budget));
        if (budget.sliceMs() > querySliceMs) {
          // A long query lets other requests in between segments. The segments may change
          // meanwhile: the loop runs whichever are new, and the hits are read below in one go.
          budget.pause();
          await new Promise<void>((resolve) => setImmediate(resolve));
          budget.resume();
          break;
        }
      }
    }
    const hits: Hits = { segs: [], docs: [], scores: [] };
    const matched = new Set<string>();
    for (const seg of segments) {
      const r = results.get(seg)!;
      const metas = seg.data.metas;
      for (let k = 0; k < r.docs.length; k++) {
        const doc = r.docs[k]!;
        const ptr = current.get(metas[doc]!.id);
        if (ptr?.seg === seg && ptr.doc === doc) {
          hits.segs.push(seg);
          hits.docs.push(doc);
          hits.scores.push(r.scores[k]!);
        }
      }
      for (const t of r.matched) matched.add(t);
    }
    return { hits, matched };
  }

  function allLive(): Hits {
    const hits: Hits = { segs: [], docs: [], scores: [] };
    for (const p of current.values()) {
      hits.segs.push(p.seg);
      hits.docs.push(p.doc);
      hits.scores.push(0);
    }
    return hits;
  }

  async function snippets(page: readonly Hit[], matched: ReadonlySet<string>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const need: string[] = [];
    for (const h of page) {
      const s = makeSnippet(h.meta.summary, matched);
      if (s) out.set(h.meta.id, s);
      else need.push(h.meta.id);
    }
    // No match in the summary: look in the translations and the body (only for this page).
    const docs = await currentDocuments(orm, need);
    for (const h of page) {
      if (out.has(h.meta.id)) continue;
      const d = docs.get(h.meta.id);
      const texts: string[] = [];
      if (d) {
        const tr = (d.translations ?? {}) as Record<string, { title?: string; summary?: string }>;
        for (const t of Object.values(tr)) texts.push(t.summary ?? "", t.title ?? "");
        if (typeof d.body === "string") texts.push(bodyWindow(d.body, matched));
      }
      let s: string | null = null;
      for (const t of texts) if ((s = makeSnippet(t, matched))) break;
      out.set(h.meta.id, s ?? leadSnippet(h.meta.summary));
    }
    return out;
  }

  return {
    async search(query) {
      const q = (query.q ?? "").trim();
      const collected = q ? await collectHits(q) : null;
      const hits = collected ? collected.hits : allLive();
      // Facet values are counted by number: keep the dictionaries this query numbered them with.
      const dict = dictionaries;

      const wantCity = query.city !== undefined ? fold(query.city) : undefined;
      const wantTag = query.tag !== undefined ? fold(query.tag) : undefined;
      const filters: [FacetName, (m: DocMeta) => boolean][] = [];
      if (query.type !== undefined) filters.push(["type", (m) => m.type === query.type]);
      if (wantCity !== undefined) filters.push(["city", (m) => fold(m.city) === wantCity]);
      if (wantTag !== undefined) filters.push(["tag", (m) => m.tags.some((t) => fold(t) === wantTag)]);
      if (query.lang !== undefined) filters.push(["lang", (m) => langMatches(m.langs, query.lang!)]);
      if (query.year !== undefined) filters.push(["year", (m) => m.year === query.year]);
      for (const seg of segments) facetsOf(seg); // intern every value before sizing the counters
      const counts = Object.fromEntries(FACET_NAMES.map((f) => [f, new Int32Array(dict[f].names.length)])) as Record<FacetName, Int32Array>;
      const kept: number[] = [];
      let lastSeg: Segment | undefined;
      let f!: SegmentFacets;
      for (let i = 0; i < hits.docs.length; i++) {
        const seg = hits.segs[i]!;
        const doc = hits.docs[i]!;
        if (seg !== lastSeg) {
          f = facetsOf(seg);
          lastSeg = seg;
        }
        // Each facet counts the hits that pass every filter but its own (so a chosen
        // city still shows the other cities one could switch to).
        let failed: FacetName | undefined;
        let fails = 0;
        for (const [name, test] of filters) {
          if (!test(seg.data.metas[doc]!)) {
            failed = name;
            if (++fails > 1) break;
          }
        }
        if (fails > 1) continue;
        if (!failed || failed === "type") counts.type[f.type[doc]!]!++;
        if (!failed || failed === "city") counts.city[f.city[doc]!]!++;
        if (!failed || failed === "tag") for (const t of f.tags[doc]!) counts.tag[t]!++;
        if (!failed || failed === "lang") for (const l of f.langs[doc]!) counts.lang[l]!++;
        if ((!failed || failed === "year") && f.year[doc]! >= 0) counts.year[f.year[doc]!]!++;
        if (!failed) kept.push(i);
      }
      const metaOf = (i: number) => hits.segs[i]!.data.metas[hits.docs[i]!]!;
      const byNewest = (a: number, b: number) => {
        const x = metaOf(a);
        const y = metaOf(b);
        return x.updated < y.updated ? 1 : x.updated > y.updated ? -1 : x.id < y.id ? -1 : 1;
      };
      const order = collected ? (a: number, b: number) => hits.scores[b]! - hits.scores[a]! || byNewest(a, b) : byNewest;
      const offset = Math.max(0, query.offset ?? 0);
      const limit = Math.min(Math.max(0, query.limit ?? 20), MAX_LIMIT);
      const page: Hit[] = topK(kept, offset + limit, order)
        .slice(offset, offset + limit)
        .map((i) => ({ meta: metaOf(i), score: hits.scores[i]! }));
      const snips = collected ? await snippets(page, collected.matched) : undefined;
      return {
        total: kept.length,
        results: page.map((h) => ({
          id: h.meta.id,
          type: h.meta.type,
          title: h.meta.title,
          summary: h.meta.summary,
          city: h.meta.city,
          origin: h.meta.origin,
          local: h.meta.local,
          verified: h.meta.verified,
          score: Math.round(h.score * 10_000) / 10_000,
          language: h.meta.langs[0] ?? "",
          year: h.meta.year,
          updated: h.meta.updated,
          ...(snips ? { snippet: snips.get(h.meta.id) ?? "" } : {}),
        })),
        facets: {
          type: sortedCounts(counts.type, dict.type.names),
          city: sortedCounts(counts.city, dict.city.names),
          tag: sortedCounts(counts.tag, dict.tag.names, TAG_FACET_SIZE),
          lang: sortedCounts(counts.lang, dict.lang.names),
          year: sortedCounts(counts.year, dict.year.names),
        },
      };
    },

    async settled() {
      while (!closed) {
        if (flushTimer) {
          clearTimeout(flushTimer);
          flush();
        }
        const waits = [starting, flushing, compacting].filter((p): p is Promise<void> => p !== undefined);
        if (waits.length === 0 && pending.size === 0) return;
        if (waits.length === 0) flush();
        await Promise.all(waits);
      }
    },

    async compact() {
      await starting;
      await compact();
    },

    stats() {
      const { docs, segs } = deltaSize();
      return {
        baseDocs: base.reduce((n, s) => n + s.size, 0),
        baseSegments: base.length,
        deltaSegments: segs,
        deltaDocs: docs,
        liveItems: current.size,
        baseSeq,
        loadedFromDisk,
        compactions,
        deltaBuilds,
        facetValues: FACET_NAMES.reduce((n, f) => n + dictionaries[f].names.length, 0),
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      if (flushTimer) clearTimeout(flushTimer);
      await Promise.allSettled([deltaWorkerInstance?.close(), compactWorker?.close()]);
    },
  };
}
