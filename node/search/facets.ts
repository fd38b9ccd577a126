import type { DocMeta } from "./documents.ts";
import type { Segment } from "./segment.ts";

/** The facet filters of a search request; each narrows the results to one value. */
export interface FacetFilter {
  readonly type?: string;
  readonly city?: string;
  /** A tag or a theme. */
  readonly tag?: string;
  /** A BCP 47 tag; `pt` also matches `pt-BR`. An item is in a language if written or translated in it. */
  readonly lang?: string;
  readonly year?: number;
  /** An adoption's status (`considering`, `planning`, `piloting`, `adopted`, `paused`, `abandoned`). */
  readonly status?: string;
  /** Only cases at least one city adopts: those in {@link adoptions}. */
  readonly adopted?: boolean;
  /** How many live verified adoptions name each case, by id (the search service reads them when asked). */
  readonly adoptions?: ReadonlyMap<string, number>;
}

/** Counts per value; each facet ignores its own filter, so other choices stay visible. */
export interface SearchFacets {
  readonly type: Record<string, number>;
  readonly city: Record<string, number>;
  readonly tag: Record<string, number>;
  readonly lang: Record<string, number>;
  readonly year: Record<string, number>;
  /** Adoptions by status (only adoptions have one). */
  readonly status: Record<string, number>;
}

/** Matching documents as parallel arrays (segment, document): thousands per query, no object each. */
export interface HitList {
  readonly segs: readonly Segment[];
  readonly docs: ArrayLike<number>;
}

/** What {@link Facets.count} answers. */
export interface FacetCount {
  /** Positions in the hit list of the hits that pass every filter, in hit order. */
  readonly kept: number[];
  readonly facets: SearchFacets;
}

const TAG_FACET_SIZE = 50;

type FacetName = keyof SearchFacets;
const FACET_NAMES: readonly FacetName[] = ["type", "city", "tag", "lang", "year", "status"];

/** Facet values of a segment's documents as small integers, so counting is array increments. */
interface SegmentFacets {
  readonly type: Int32Array;
  readonly city: Int32Array;
  /** -1 when the item has no year. */
  readonly year: Int32Array;
  /** -1 when the item has no status (all but adoptions). */
  readonly status: Int32Array;
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

type Dictionaries = Record<FacetName, Dictionary>;

const newDictionaries = (): Dictionaries => ({
  type: new Dictionary(),
  city: new Dictionary(),
  tag: new Dictionary(),
  lang: new Dictionary(),
  year: new Dictionary(),
  status: new Dictionary(),
});

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

function sortedCounts(counts: Int32Array, names: readonly string[], max = Infinity): Record<string, number> {
  const entries: [string, number][] = [];
  counts.forEach((n, id) => {
    if (n > 0) entries.push([names[id]!, n]);
  });
  entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return Object.fromEntries(entries.slice(0, max));
}

/** The filters of a request as tests on a document, each named by the facet it narrows. */
function testsOf(filter: FacetFilter): [FacetName | "adopted", (m: DocMeta) => boolean][] {
  const wantCity = filter.city !== undefined ? fold(filter.city) : undefined;
  const wantTag = filter.tag !== undefined ? fold(filter.tag) : undefined;
  const tests: [FacetName | "adopted", (m: DocMeta) => boolean][] = [];
  // No facet of its own: a hit that fails it is counted under none.
  if (filter.adopted) tests.push(["adopted", (m) => (filter.adoptions?.get(m.id) ?? 0) > 0]);
  if (filter.type !== undefined) tests.push(["type", (m) => m.type === filter.type]);
  if (wantCity !== undefined) tests.push(["city", (m) => fold(m.city) === wantCity]);
  if (wantTag !== undefined) tests.push(["tag", (m) => m.tags.some((t) => fold(t) === wantTag)]);
  if (filter.lang !== undefined) tests.push(["lang", (m) => langMatches(m.langs, filter.lang!)]);
  if (filter.year !== undefined) tests.push(["year", (m) => m.year === filter.year]);
  if (filter.status !== undefined) tests.push(["status", (m) => m.status === filter.status]);
  return tests;
}

/**
 * Filters hits by facet and counts their facet values. Values are interned per segment
 * (kept while the segment lives) and forgotten by {@link reset} when a new base comes in.
 */
export class Facets {
  private dictionaries = newDictionaries();
  private segmentFacets = new WeakMap<Segment, SegmentFacets>();

  /**
   * Starts the facet values afresh (call it when a new base comes in): interned values
   * otherwise grow with every tag ever seen (also of items long gone), and each query counts over all.
   */
  reset(): void {
    this.dictionaries = newDictionaries();
    this.segmentFacets = new WeakMap();
  }

  /** Distinct values interned (types, cities, tags, languages, years). */
  size(): number {
    return FACET_NAMES.reduce((n, f) => n + this.dictionaries[f].names.length, 0);
  }

  /**
   * The hits that pass `filter`, and the facet counts: each facet counts the hits that
   * pass every filter but its own. `segments` are all the index's segments (every value
   * is interned before the counters are sized).
   */
  count(segments: readonly Segment[], hits: HitList, filter: FacetFilter): FacetCount {
    // Facet values are counted by number: keep the dictionaries they were numbered with.
    const dict = this.dictionaries;
    const tests = testsOf(filter);
    for (const seg of segments) this.of(seg);
    const counts = Object.fromEntries(FACET_NAMES.map((f) => [f, new Int32Array(dict[f].names.length)])) as Record<
      FacetName,
      Int32Array
    >;
    const kept: number[] = [];
    let lastSeg: Segment | undefined;
    let f!: SegmentFacets;
    for (let i = 0; i < hits.docs.length; i++) {
      const seg = hits.segs[i]!;
      const doc = hits.docs[i]!;
      if (seg !== lastSeg) {
        f = this.of(seg);
        lastSeg = seg;
      }
      // Each facet counts the hits that pass every filter but its own (so a chosen
      // city still shows the other cities one could switch to).
      let failed: FacetName | "adopted" | undefined;
      let fails = 0;
      for (const [name, test] of tests) {
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
      if ((!failed || failed === "status") && f.status[doc]! >= 0) counts.status[f.status[doc]!]!++;
      if (!failed) kept.push(i);
    }
    return {
      kept,
      facets: {
        type: sortedCounts(counts.type, dict.type.names),
        city: sortedCounts(counts.city, dict.city.names),
        tag: sortedCounts(counts.tag, dict.tag.names, TAG_FACET_SIZE),
        lang: sortedCounts(counts.lang, dict.lang.names),
        year: sortedCounts(counts.year, dict.year.names),
        status: sortedCounts(counts.status, dict.status.names),
      },
    };
  }

  private of(seg: Segment): SegmentFacets {
    let f = this.segmentFacets.get(seg);
    if (!f) {
      const d = this.dictionaries;
      const metas = seg.data.metas;
      f = {
        type: Int32Array.from(metas, (m) => d.type.id(m.type)),
        city: Int32Array.from(metas, (m) => d.city.id(m.city)),
        year: Int32Array.from(metas, (m) => (m.year === null ? -1 : d.year.id(String(m.year)))),
        status: Int32Array.from(metas, (m) => (m.status === undefined ? -1 : d.status.id(m.status))),
        tags: metas.map((m) => Int32Array.from(m.tags, (t) => d.tag.id(t))),
        langs: metas.map((m) => Int32Array.from(m.langs, (l) => d.lang.id(l))),
      };
      this.segmentFacets.set(seg, f);
    }
    return f;
  }
}
