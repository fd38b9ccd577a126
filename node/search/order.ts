import { type DocMeta, shownText } from "./documents.ts";

/** How results are ordered: by relevance (the default), by the item's year either way, by title, or most adopted first. */
export const SORT_ORDERS = ["relevance", "newest", "oldest", "title", "adopted"] as const;

/** One of {@link SORT_ORDERS}. */
export type SortOrder = (typeof SORT_ORDERS)[number];

/** Whether `value` names a sort order. */
export function isSortOrder(value: string): value is SortOrder {
  return (SORT_ORDERS as readonly string[]).includes(value);
}

/** The hits of a query, read by position: what an order compares. */
export interface RankedHits {
  meta(i: number): DocMeta;
  readonly scores: ArrayLike<number>;
  /** Optional clauses each hit matched (a query for all words ranks those with more first); absent when browsing. */
  readonly coverage?: ArrayLike<number>;
  /** Adoptions per case id, for `adopted`. */
  readonly adoptions?: ReadonlyMap<string, number>;
  /** Whether a hit's title (or a translation's) is the query itself, word for word: a pasted title. */
  readonly titleIs?: (i: number) => boolean;
}

const collators = new Map<string, Intl.Collator>();

/** A collator of the reader's language (numbers in titles compared as numbers), made once per language. */
function collatorOf(locale: string | undefined): Intl.Collator {
  const key = locale ?? "";
  let c = collators.get(key);
  if (!c) {
    c = new Intl.Collator(locale || undefined, { sensitivity: "base", numeric: true });
    collators.set(key, c);
  }
  return c;
}

const byId = (x: DocMeta, y: DocMeta) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);

/** Most recently updated first (how an empty search browses), then by id. */
const byUpdated = (x: DocMeta, y: DocMeta) => (x.updated < y.updated ? 1 : x.updated > y.updated ? -1 : byId(x, y));

/**
 * By the item's year (a case's start year, a dataset's issue year: documents.ts `yearOf`),
 * then by when it was last updated, then by id; items without a year come last either way.
 */
function byYear(direction: 1 | -1) {
  return (x: DocMeta, y: DocMeta): number => {
    if (x.year !== y.year) {
      if (x.year === null) return 1;
      if (y.year === null) return -1;
      return direction * (x.year - y.year);
    }
    if (x.updated !== y.updated) return direction * (x.updated < y.updated ? -1 : 1);
    return byId(x, y);
  };
}

/**
 * The comparison of hit positions for `sort`: every order ends on the item's id, so equal
 * items keep one order across pages. Relevance without a query (no scores) browses most
 * recently updated first; with one, an item whose title is the query word for word comes
 * first (a pasted title), then items matching more of the words, then the higher score. `title` compares the title the reader is shown (`locale`'s translation).
 */
export function orderOf(
  hits: RankedHits,
  sort: SortOrder,
  text: boolean,
  locale?: string,
): (a: number, b: number) => number {
  const on = (compare: (x: DocMeta, y: DocMeta) => number) => (a: number, b: number) =>
    compare(hits.meta(a), hits.meta(b));
  switch (sort) {
    case "newest":
      return on(byYear(-1));
    case "oldest":
      return on(byYear(1));
    case "title": {
      const collator = collatorOf(locale);
      // Each hit's shown title is looked up once, not once per comparison.
      const titles = new Map<number, string>();
      const title = (i: number) => {
        let t = titles.get(i);
        if (t === undefined) titles.set(i, (t = shownText(hits.meta(i), locale).title));
        return t;
      };
      return (a, b) => collator.compare(title(a), title(b)) || byId(hits.meta(a), hits.meta(b));
    }
    case "adopted": {
      // Most adopted first; equally adopted items in relevance order.
      const count = (i: number) => hits.adoptions?.get(hits.meta(i).id) ?? 0;
      const then = orderOf(hits, "relevance", text, locale);
      return (a, b) => count(b) - count(a) || then(a, b);
    }
    default: {
      if (!text) return on(byUpdated);
      const { scores, coverage, titleIs } = hits;
      // A title pasted whole finds its item first; each hit is checked once (-1: not yet).
      const exact = titleIs ? new Int8Array(scores.length).fill(-1) : undefined;
      const titled = (i: number) => {
        let t = exact![i]!;
        if (t < 0) exact![i] = t = titleIs!(i) ? 1 : 0;
        return t;
      };
      return (a, b) =>
        (titleIs ? titled(b) - titled(a) : 0) ||
        (coverage ? coverage[b]! - coverage[a]! : 0) ||
        scores[b]! - scores[a]! ||
        byUpdated(hits.meta(a), hits.meta(b));
    }
  }
}
