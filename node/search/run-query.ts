import { performance } from "node:perf_hooks";
import type { ExpandLimits } from "./expand.ts";
import { type CompiledQuery, DEFAULT_QUERY_LIMITS, QueryError, type QueryLimits, type TermSpec } from "./query.ts";
import type { Segment } from "./segment.ts";
import { isCjk } from "./text.ts";

/**
 * The work one query may still do, shared by its run on every segment: the time budget
 * (its own running time), and how many distinct terms each asked-for expansion has matched.
 */
export class QueryBudget {
  /** Time spent in earlier slices, in ms. */
  private spent = 0;
  private since: number;
  private readonly matched = new Map<TermSpec, Set<string>>();

  constructor(
    readonly limits: QueryLimits = DEFAULT_QUERY_LIMITS,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.since = clock();
  }

  /** How long the query has run since it started or last resumed, in ms. */
  sliceMs(): number {
    return this.clock() - this.since;
  }

  /** Stops the clock while the query waits for its next turn: only its own running time counts. */
  pause(): void {
    this.spent += this.sliceMs();
  }

  /** Starts the clock again after {@link pause}. */
  resume(): void {
    this.since = this.clock();
  }

  /** Throws {@link QueryError} (`too-slow`) once the time budget is spent. */
  check(): void {
    if (this.spent + this.sliceMs() > this.limits.timeBudgetMs) {
      throw new QueryError(`the query took longer than ${this.limits.timeBudgetMs} ms`, 0, 0, {
        reason: "too-slow",
        limit: this.limits.timeBudgetMs,
      });
    }
  }

  /** The terms `spec` expands to in `segment`, within the limits (throws {@link QueryError} `too-broad` for an asked-for expansion beyond them). */
  expand(segment: Segment, spec: TermSpec): string[] {
    this.check();
    const { maxExpansions, maxExpansionSteps } = this.limits;
    if (spec.asked === undefined) {
      // Gather a few times the cap, then keep the terms most documents have.
      const gather = { maxTerms: 4 * maxExpansions, maxSteps: maxExpansionSteps };
      const found = spec.asWritten
        ? segment.expandWords(spec.term, spec.editDistance ?? 1, gather).terms
        : segment.expand(spec.term, spec.editDistance ?? 0, gather).terms;
      if (found.length <= maxExpansions) return found;
      const df = (t: string) => segment.df(segment.termId(t)!);
      return found.sort((a, b) => df(b) - df(a) || (a < b ? -1 : 1)).slice(0, maxExpansions);
    }
    const limits: ExpandLimits = { maxTerms: maxExpansions, maxSteps: maxExpansionSteps };
    const found = segment.expand(spec.term, spec.editDistance ?? 0, limits);
    let seen = this.matched.get(spec);
    if (!seen) this.matched.set(spec, (seen = new Set()));
    for (const t of found.terms) seen.add(t);
    if (found.overflow === "steps") {
      throw new QueryError(`“${spec.asked}” is too broad to look up; make it more specific`, 0, 0, {
        reason: "too-broad",
        term: spec.asked,
        limit: maxExpansions,
      });
    }
    if (found.overflow || seen.size > maxExpansions) {
      throw new QueryError(
        `“${spec.asked}” matches more than ${maxExpansions} words of the index; make it more specific`,
        0,
        0,
        { reason: "too-broad", term: spec.asked, limit: maxExpansions },
      );
    }
    return found.terms;
  }
}

/** What one segment answers: matching document numbers with their scores. */
export interface SegmentHits {
  readonly docs: number[];
  readonly scores: number[];
  /** How many of the query's optional clauses each document matched (all words, or some). */
  readonly coverage: number[];
  /** Index terms that matched (to highlight snippets). */
  readonly matched: Set<string>;
}

function resolve(segment: Segment, spec: TermSpec, exact: TermSpec, budget: QueryBudget): string[] {
  if (!spec.expand) return segment.termId(spec.term) === undefined ? [] : [spec.term];
  const expanded = budget.expand(segment, spec);
  // A fuzzy expansion contains the exact term, which its own alternative already scores.
  return spec.editDistance ? expanded.filter((t) => t !== spec.term && t !== exact.term) : expanded;
}

/**
 * The query without the typo tolerance of words the index knows: a word that is the
 * exact term of some segment is taken as typed (`voting` does not also look for `noting`),
 * and only a word found nowhere is corrected (`votng`).
 */
export function withoutKnownTypos(query: CompiledQuery, segments: readonly Segment[]): CompiledQuery {
  const known = (term: string) => segments.some((seg) => seg.termId(term) !== undefined);
  let changed = false;
  const clauses = query.clauses.map((clause) => {
    const parts = clause.parts.map((part) => {
      if (!part.some((spec) => spec.typo) || !known(part[0]!.term)) return part;
      changed = true;
      return part.filter((spec) => !spec.typo);
    });
    return { ...clause, parts };
  });
  return changed ? { ...query, clauses } : query;
}

/** Whether a part is one plain CJK letter pair (how a CJK word of three letters or more is compiled). */
function isCjkPair(part: readonly TermSpec[]): boolean {
  return part.length === 1 && !part[0]!.expand && [...part[0]!.term].length === 2 && isCjk(part[0]!.term);
}

/**
 * The query with each optional CJK word of three letters or more split where the index has
 * never seen two of its letters side by side: `전자투표` ("electronic voting"), whose pair
 * `자투` occurs nowhere, is read as the words `전자` and `투표`, as a Korean reader would write
 * them apart. The pieces are then words of the query like any other: items with all of them
 * first, and when none has them all, those with some (more words first, the rarer word
 * weighing more). A word whose pairs the index all knows is left whole, and so is one that
 * would leave a single piece; so is a `+required` or excluded word, whose meaning a split would change.
 */
export function withCompoundsSplit(query: CompiledQuery, segments: readonly Segment[]): CompiledQuery {
  const known = (term: string) => segments.some((seg) => seg.termId(term) !== undefined);
  let changed = false;
  const clauses = query.clauses.flatMap((clause) => {
    if (clause.presence !== "optional" || clause.parts.length < 2 || !clause.parts.every(isCjkPair)) return [clause];
    const pieces: (readonly TermSpec[])[][] = [[]];
    for (const part of clause.parts) {
      if (known(part[0]!.term)) pieces.at(-1)!.push(part);
      else if (pieces.at(-1)!.length) pieces.push([]);
    }
    const words = pieces.filter((piece) => piece.length > 0);
    // Only a word that falls into two words or more is split: `서울역` (Seoul Station) is not
    // read as `서울` alone when `울역` is unknown; it stays as typed and finds nothing.
    if (words.length < 2) return [clause];
    changed = true;
    return words.map((parts) => ({ ...clause, parts }));
  });
  return changed ? { ...query, clauses } : query;
}

/**
 * Runs a compiled query on one segment. A document matches a clause when every part of
 * it matches in one of the clause's fields; it matches the query when it matches every
 * required clause, no prohibited clause, and (if there are any) at least one optional or
 * required clause. Its score is lunr's: per field, the dot product of the query vector
 * (boosts of the terms found) and the document's field vector, divided by the query
 * vector's magnitude, summed over fields.
 */
export function runQuery(segment: Segment, query: CompiledQuery, budget: QueryBudget = new QueryBudget()): SegmentHits {
  const n = segment.size;
  const score = new Float64Array(n);
  const state = new Int8Array(n); // 0 untouched, 1 matched a positive clause, -1 excluded
  const matched = new Set<string>();
  const required = query.clauses.filter((c) => c.presence === "required").length;
  const requiredHits = required > 0 ? new Uint16Array(n) : undefined;
  const optionalHits = new Uint16Array(n);
  const positive = query.clauses.some((c) => c.presence !== "prohibited");
  const seen = new Int32Array(n);
  const partsHit = new Uint16Array(n);
  const clauseScore = new Float64Array(n);
  // First pass: expand every term once, and build lunr's query vector of each field.
  const F = segment.data.fields.length;
  const { offsets, docs: postDocs, weights: postWeights } = segment.data;
  const queryVectors = Array.from({ length: F }, () => new Map<string, number>());
  const resolved = query.clauses.map((clause) => {
    const fields = clause.fields.map((f) => segment.fieldNo.get(f)).filter((f): f is number => f !== undefined);
    const parts = clause.parts.map((part) =>
      part.map((spec) => ({ spec, terms: resolve(segment, spec, part[0]!, budget) })),
    );
    if (clause.presence !== "prohibited") {
      for (const part of parts) {
        for (const { spec, terms } of part) {
          for (const term of terms)
            for (const f of fields)
              queryVectors[f]!.set(term, (queryVectors[f]!.get(term) ?? 0) + clause.boost * spec.boost);
        }
      }
    }
    return { clause, fields, parts };
  });
  const norm = queryVectors.map((v) => Math.sqrt([...v.values()].reduce((sum, x) => sum + x * x, 0)) || 1);
  let stamp = 0;
  for (const { clause, fields, parts } of resolved) {
    budget.check();
    const touched: number[] = [];
    const clauseStamp = ++stamp;
    const clauseTerms: string[] = [];
    for (const part of parts) {
      const partStamp = ++stamp;
      for (const { spec, terms } of part) {
        for (const term of terms) {
          const id = segment.termId(term)!;
          clauseTerms.push(term);
          for (const f of fields) {
            const w = (clause.boost * spec.boost) / norm[f]!;
            // The hot loop: plain indexed reads, no callback.
            const at = id * F + f;
            for (let i = offsets[at]!, end = offsets[at + 1]!; i < end; i++) {
              const doc = postDocs[i]!;
              if (seen[doc]! < clauseStamp) {
                // First touch of this document in this clause.
                seen[doc] = partStamp;
                partsHit[doc] = 1;
                clauseScore[doc] = 0;
                touched.push(doc);
              } else if (seen[doc]! < partStamp) {
                seen[doc] = partStamp;
                partsHit[doc]!++;
              }
              clauseScore[doc]! += w * postWeights[i]!;
            }
          }
        }
      }
    }
    const need = parts.length;
    let any = false;
    for (const doc of touched) {
      if (partsHit[doc] !== need) continue;
      any = true;
      if (clause.presence === "prohibited") {
        state[doc] = -1;
        continue;
      }
      score[doc]! += clauseScore[doc]!;
      if (state[doc] === 0) state[doc] = 1;
      if (requiredHits) requiredHits[doc]! += clause.presence === "required" ? 1 : 0;
      if (clause.presence === "optional") optionalHits[doc]!++;
    }
    if (any && clause.presence !== "prohibited") for (const t of clauseTerms) matched.add(t);
  }
  const docs: number[] = [];
  const scores: number[] = [];
  const coverage: number[] = [];
  for (let doc = 0; doc < n; doc++) {
    const s = state[doc]!;
    if (s === -1) continue;
    if (positive && s !== 1) continue;
    if (requiredHits && requiredHits[doc] !== required) continue;
    docs.push(doc);
    scores.push(score[doc]!);
    coverage.push(optionalHits[doc]!);
  }
  return { docs, scores, coverage, matched };
}
