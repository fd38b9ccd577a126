import { type DocMeta, shownText } from "./documents.ts";
import type { FacetFilter, Facets, HitList, SearchFacets } from "./facets.ts";
import type { LiveIndex } from "./live-index.ts";
import { type CompiledQuery, compileQuery, DEFAULT_QUERY_LIMITS, type QueryLimits } from "./query.ts";
import { orderOf, type SortOrder } from "./order.ts";
import { QueryBudget, runQuery, type SegmentHits, withCompoundsSplit, withoutKnownTypos } from "./run-query.ts";
import type { Segment } from "./segment.ts";
import { type Passage, pagePassages, type SnippetSource } from "./snippet.ts";
import { splitWords } from "./text.ts";

/** A search request; an empty `q` with filters browses, newest first. */
export interface SearchQuery extends FacetFilter {
  /** Free text in lunr syntax: `+required -excluded field:term prefix*`. */
  readonly q?: string;
  /** Results per page (default 20, at most 100). */
  readonly limit?: number;
  readonly offset?: number;
  /** Default `relevance` (without `q`: most recently updated first); see order.ts. */
  readonly sort?: SortOrder;
  /**
   * The reader's language: results show an item's translated title and summary in it when
   * the item has them (and `title` sorts by those). Default: each item's own.
   */
  readonly locale?: string;
  /**
   * For an export: `limit` may go up to {@link MAX_EXPORT} (a whole result list in one
   * ranking) and no passages are made. Default false.
   */
  readonly forExport?: boolean;
}

/** One search hit: what the index keeps of the item, its score and, for a text query, a passage. */
export interface SearchResult
  extends Pick<
    DocMeta,
    "id" | "type" | "title" | "summary" | "city" | "origin" | "local" | "verified" | "year" | "updated"
  > {
  readonly score: number;
  /** The language of the title and summary shown: the document's own, or the reader's when translated. */
  readonly language: string;
  /** Where the query's words stand in the item's text; only for a text query. */
  readonly passage?: Passage;
}

/** What {@link Searcher.search} answers. */
export interface SearchResponse {
  readonly total: number;
  /**
   * For a query of several words (none of them `+required`): how many of the results have
   * every word (see {@link coverageNeeded}); 0 when no item has them all and the results
   * are the items with some of them. Absent for other queries.
   */
  readonly allWords?: number;
  /** Only the query's first words were searched (a query beyond the length or word limits). */
  readonly shortened?: true;
  readonly results: SearchResult[];
  readonly facets: SearchFacets;
}

/** Largest page. */
export const MAX_LIMIT = 100;

/** Most results an export ({@link SearchQuery.forExport}) takes in one ranking. */
export const MAX_EXPORT = 10_000;

/** What a query reads of the live index: its segments and which of their documents are current. */
export type IndexView = Pick<LiveIndex, "segments" | "isCurrent" | "live">;

/** Options of {@link Searcher}. */
export interface SearcherOptions {
  readonly index: IndexView;
  readonly facets: Facets;
  /** Where snippets read the texts the index does not keep. */
  readonly snippets: SnippetSource;
  /** Bounds on each query (length, terms, typos, wildcards, expansions, time); defaults in {@link DEFAULT_QUERY_LIMITS}. */
  readonly queryLimits?: Partial<QueryLimits>;
  /** A query that has run this long (ms) lets other work of the event loop in before its next segment (default 8). */
  readonly querySliceMs?: number;
}

/** Hits as parallel arrays (segment, document, score): thousands per query, no object each. */
interface Hits extends HitList {
  readonly segs: readonly Segment[];
  readonly docs: ArrayLike<number>;
  readonly scores: ArrayLike<number>;
  readonly coverage: ArrayLike<number>;
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

/** Answers search requests over the live index: hits, facet counts, a ranked page with snippets. */
export class Searcher {
  private readonly index: IndexView;
  private readonly facets: Facets;
  private readonly snippets: SnippetSource;
  private readonly queryLimits: QueryLimits;
  private readonly querySliceMs: number;

  constructor(options: SearcherOptions) {
    this.index = options.index;
    this.facets = options.facets;
    this.snippets = options.snippets;
    this.queryLimits = { ...DEFAULT_QUERY_LIMITS, ...options.queryLimits };
    this.querySliceMs = options.querySliceMs ?? 8;
  }

  /** Runs a query; throws {@link QueryError} when lunr cannot parse `q` or it goes beyond a query limit. */
  async search(query: SearchQuery): Promise<SearchResponse> {
    const q = (query.q ?? "").trim();
    const collected = q ? await this.collectHits(q) : null;
    const hits = collected ? collected.hits : this.allLive();
    const { kept, facets } = this.facets.count(this.index.segments, hits, query);
    const metaOf = (i: number) => hits.segs[i]!.data.metas[hits.docs[i]!]!;
    const titleIs = collected?.words ? pastedTitle(q, metaOf, (i) => hits.coverage[i] === collected.words) : undefined;
    const order = orderOf(
      {
        meta: metaOf,
        scores: hits.scores,
        coverage: collected?.words ? hits.coverage : undefined,
        titleIs,
        adoptions: query.adoptions,
      },
      query.sort ?? "relevance",
      collected !== null,
      query.locale,
    );
    const offset = Math.max(0, query.offset ?? 0);
    const limit = Math.min(Math.max(0, query.limit ?? 20), query.forExport ? MAX_EXPORT : MAX_LIMIT);
    const page = topK(kept, offset + limit, order)
      .slice(offset, offset + limit)
      .map((i) => ({ meta: metaOf(i), score: hits.scores[i]! }));
    const passages =
      collected && !query.forExport
        ? await pagePassages(
            page.map((h) => h.meta),
            collected.matched,
            this.snippets,
            query.locale,
          )
        : undefined;
    return {
      total: kept.length,
      ...(collected?.words ? { allWords: kept.filter((i) => hits.coverage[i] === collected.words).length } : {}),
      ...(collected?.shortened ? { shortened: true as const } : {}),
      results: page.map((h) => resultOf(h.meta, h.score, passages, query.locale)),
      facets,
    };
  }

  private async collectHits(
    q: string,
  ): Promise<{ hits: Hits; matched: Set<string>; words: number; shortened?: true } | null> {
    const segments = this.index.segments;
    const compiled = withCompoundsSplit(withoutKnownTypos(compileQuery(q, this.queryLimits), segments), segments);
    if (compiled.clauses.length === 0) return null;
    // One budget for every segment: expansions are counted and time is spent over the whole index.
    const budget = new QueryBudget(this.queryLimits);
    const results = new Map<Segment, SegmentHits>();
    for (let todo = this.index.segments; ; todo = this.index.segments.filter((seg) => !results.has(seg))) {
      if (todo.length === 0) break;
      for (const seg of todo) {
        results.set(seg, runQuery(seg, compiled, budget));
        if (budget.sliceMs() > this.querySliceMs) {
          // A long query lets other requests in between segments. The segments may change
          // meanwhile: the loop runs whichever are new, and the hits are read below in one go.
          budget.pause();
          await new Promise<void>((resolve) => setImmediate(resolve));
          budget.resume();
          break;
        }
      }
    }
    const words = wordsToMatch(compiled);
    const need = words > 0 ? coverageNeeded(this.index, results, words) : 0;
    // Tens of thousands of hits for a common word at 100,000 items: typed arrays sized once, no growth.
    let most = 0;
    for (const seg of this.index.segments) most += results.get(seg)!.docs.length;
    const segs: Segment[] = [];
    const docs = new Int32Array(most);
    const scores = new Float64Array(most);
    const coverage = new Uint16Array(most);
    let n = 0;
    const matched = new Set<string>();
    for (const seg of this.index.segments) {
      const r = results.get(seg)!;
      for (let k = 0; k < r.docs.length; k++) {
        const doc = r.docs[k]!;
        if (r.coverage[k]! < need || !this.index.isCurrent(seg, doc)) continue;
        segs.push(seg);
        docs[n] = doc;
        scores[n] = r.scores[k]!;
        coverage[n] = r.coverage[k]!;
        n++;
      }
      for (const t of r.matched) matched.add(t);
    }
    const hits: Hits = {
      segs,
      docs: docs.subarray(0, n),
      scores: scores.subarray(0, n),
      coverage: coverage.subarray(0, n),
    };
    return { hits, matched, words, ...(compiled.shortened ? { shortened: compiled.shortened } : {}) };
  }

  private allLive(): Hits {
    const segs: Segment[] = [];
    const docs: number[] = [];
    const scores: number[] = [];
    for (const p of this.index.live()) {
      segs.push(p.seg);
      docs.push(p.doc);
      scores.push(0);
    }
    return { segs, docs, scores, coverage: [] };
  }
}

/** A text's words as search reads them, joined by one space: `ETAX: paying…` and `etax paying…` agree. */
function wordsOf(text: string): string {
  return splitWords(text).join(" ");
}

/** An item's own title, then its translations' (undefined where a translation has none). */
function titlesOf(meta: DocMeta): (string | undefined)[] {
  return [meta.title, ...Object.values(meta.translations ?? {}).map((tr) => tr.title)];
}

/** Whether `test` holds for the item's title or one of its translations' (nothing allocated: it runs for every hit). */
function anyTitle(meta: DocMeta, test: (title: string | undefined) => boolean): boolean {
  if (test(meta.title)) return true;
  const translations = meta.translations;
  if (translations) for (const lang in translations) if (test(translations[lang]!.title)) return true;
  return false;
}

/** The words of each title of an item (its own, then its translations'), read once per indexed document. */
const titleWordsOf = new WeakMap<DocMeta, readonly string[]>();

function titleWords(meta: DocMeta): readonly string[] {
  let words = titleWordsOf.get(meta);
  if (!words) {
    words = titlesOf(meta).map((t) => (t === undefined ? "\u0000" : wordsOf(t)));
    titleWordsOf.set(meta, words);
  }
  return words;
}

/**
 * Whether a hit's title, or one of its translated titles, is the query word for word (case,
 * accents and punctuation aside): how a pasted title is told from a query sharing its words.
 * Only hits with every word are read, and only titles about as long as the query; each
 * document's title words are kept (a common pair of words has thousands of hits, and every
 * query splitting their titles again was most of its page's cost).
 */
function pastedTitle(q: string, meta: (i: number) => DocMeta, hasAll: (i: number) => boolean): (i: number) => boolean {
  const wanted = wordsOf(q);
  const near = (title: string | undefined) =>
    title !== undefined && Math.abs(title.length - q.length) <= q.length / 2 + 8;
  return (i) => {
    if (!hasAll(i)) return false;
    const m = meta(i);
    // Most hits have no title near the query's length: tell that without building the list of titles.
    if (!anyTitle(m, near)) return false;
    const titles = titlesOf(m);
    const words = titleWords(m);
    return titles.some((t, k) => near(t) && words[k] === wanted);
  };
}

/** With fewer items than this having every word of a query of three words or more, those missing one follow. */
const FEW_WITH_ALL = 3;

/** The words a query asks all of: its optional clauses, when it has two or more and nothing `+required` (else 0). */
function wordsToMatch(query: CompiledQuery): number {
  if (query.clauses.some((c) => c.presence === "required")) return 0;
  const words = query.clauses.filter((c) => c.presence === "optional").length;
  return words >= 2 ? words : 0;
}

/**
 * How many of the `words` a result must have, as a library catalogue answers: all of
 * them; when fewer than {@link FEW_WITH_ALL} items have them all and the query has three
 * words or more, all but one (those with all still come first); when no item has them
 * all, any (those with more words first).
 */
function coverageNeeded(index: IndexView, results: ReadonlyMap<Segment, SegmentHits>, words: number): number {
  let all = 0;
  for (const [seg, r] of results) {
    for (let k = 0; k < r.docs.length && all < FEW_WITH_ALL; k++)
      if (r.coverage[k] === words && index.isCurrent(seg, r.docs[k]!)) all++;
  }
  if (all === 0) return 0;
  return all < FEW_WITH_ALL && words >= 3 ? words - 1 : words;
}

function resultOf(
  meta: DocMeta,
  score: number,
  passages: ReadonlyMap<string, Passage> | undefined,
  locale: string | undefined,
): SearchResult {
  const shown = shownText(meta, locale);
  return {
    id: meta.id,
    type: meta.type,
    title: shown.title,
    summary: shown.summary,
    city: meta.city,
    origin: meta.origin,
    local: meta.local,
    verified: meta.verified,
    score: Math.round(score * 10_000) / 10_000,
    language: shown.language,
    year: meta.year,
    updated: meta.updated,
    ...(passages ? { passage: passages.get(meta.id) ?? [] } : {}),
  };
}
