import lunr from "lunr";
import { performance } from "node:perf_hooks";
import { FIELD_NAMES } from "./documents.ts";
import type { ExpandLimits } from "./expand.ts";
import type { Segment } from "./segment.ts";
import { bigrams, foldText, isCjk, splitWords, stem, termsOfWord } from "./text.ts";

/**
 * Why a query is refused: `syntax` when lunr cannot parse it; every other reason is one
 * of the {@link QueryLimits}.
 */
export type QueryErrorReason =
  | "syntax"
  | "too-long"
  | "too-many-terms"
  | "term-too-long"
  | "edit-distance"
  | "fuzzy-too-short"
  | "wildcard-prefix"
  | "too-broad"
  | "too-slow";

/** Options of {@link QueryError}. */
export interface QueryErrorOptions {
  readonly cause?: unknown;
  /** Default `syntax`. */
  readonly reason?: QueryErrorReason;
  /** The term at fault, as typed (lower-cased), when there is one. */
  readonly term?: string;
  /** The limit that was passed, when there is one. */
  readonly limit?: number;
}

/** A query refused: lunr's parser rejected it, or it asks for more than a limit allows; `message` says why, `start`/`end` where. */
export class QueryError extends Error {
  override name = "QueryError";
  readonly reason: QueryErrorReason;
  readonly term?: string;
  readonly limit?: number;
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
    options: QueryErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.reason = options.reason ?? "syntax";
    this.term = options.term;
    this.limit = options.limit;
  }
}

/** Bounds on the work one query may ask for; every field has a default in {@link DEFAULT_QUERY_LIMITS}. */
export interface QueryLimits {
  /** Characters of the whole query (256). */
  readonly maxLength: number;
  /** Search terms: words that reach the index (stop words do not count) and wildcard patterns (16). */
  readonly maxTerms: number;
  /** Characters of one word or pattern (64; the index keeps no word longer than 40). */
  readonly maxTermLength: number;
  /** The largest `~n` (2). `~1` needs a word of 3 letters, `~2` one of 6 (Elasticsearch's AUTO fuzziness). */
  readonly maxEditDistance: number;
  /** Letters a wildcard pattern must start with before its first `*` (2). */
  readonly minPrefix: number;
  /** Index terms one wildcard or fuzzy term may match, over the whole index (256). */
  readonly maxExpansions: number;
  /** Prefixes of one segment's term list an expansion may visit (50,000; about 20 ms). */
  readonly maxExpansionSteps: number;
  /** Time one query may run, in ms, not counting its waits between segments (500): a backstop, ordinary queries take a few. */
  readonly timeBudgetMs: number;
}

/** The limits a node applies unless told otherwise. */
export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxLength: 256,
  maxTerms: 16,
  maxTermLength: 64,
  maxEditDistance: 2,
  minPrefix: 2,
  maxExpansions: 256,
  maxExpansionSteps: 50_000,
  timeBudgetMs: 500,
};

/** Shortest word that may ask for `~n` typos, by n (3n beyond, if a node allows more than 2). */
const FUZZY_MIN_LENGTH = [0, 3, 6];

/** How a clause must appear: lunr's `+term`, `-term` or plain. */
export type Presence = "optional" | "required" | "prohibited";

/** One alternative of a part: an index term, a pattern to expand, and its weight. */
export interface TermSpec {
  readonly term: string;
  /** Expand into index terms: a wildcard pattern (`gov*`) or, with `editDistance`, a fuzzy term. */
  readonly expand?: boolean;
  readonly editDistance?: number;
  readonly boost: number;
  /**
   * The term as typed, when the user asked for this expansion: beyond the limits it is
   * refused. Expansions the engine adds by itself (typo tolerance, stems, one CJK letter)
   * are cut to the most frequent terms instead, so an ordinary query is never refused.
   */
  readonly asked?: string;
}

/** A compiled clause: every part must match (one part per Latin word, one per CJK bigram). */
export interface CompiledClause {
  readonly presence: Presence;
  readonly fields: readonly string[];
  readonly boost: number;
  readonly parts: readonly (readonly TermSpec[])[];
}

/** A parsed query, ready to run on any segment. */
export interface CompiledQuery {
  readonly clauses: readonly CompiledClause[];
}

/** Weight of a typo-corrected term relative to the exact one. */
const TYPO_BOOST = 0.2;
/** Typo tolerance (edit distance 1) starts at this many letters. */
const TYPO_MIN_LENGTH = 5;

// lunr.Query.presence: OPTIONAL 1, REQUIRED 2, PROHIBITED 3.
const PRESENCE: Record<number, Presence> = { 1: "optional", 2: "required", 3: "prohibited" };

interface LunrClause {
  term: string;
  fields: string[];
  boost: number;
  editDistance?: number;
  presence: number;
}

function compileWord(word: string, editDistance: number | undefined, presence: Presence): TermSpec[][] {
  if (isCjk(word)) {
    // One letter: any term starting with it. Longer: all its bigrams must occur (see text.ts).
    if ([...word].length === 1) return [[{ term: `${word}*`, expand: true, boost: 1 }]];
    return bigrams(word).map((g) => [{ term: g, boost: 1 }]);
  }
  const terms = termsOfWord(word);
  if (terms.length === 0) return [];
  const exact = terms[0]!;
  const part: TermSpec[] = [{ term: exact, boost: 1 }];
  if (editDistance !== undefined && editDistance > 0) {
    part.push({ term: exact, expand: true, editDistance, boost: 1, asked: `${word}~${editDistance}` });
  } else if (presence !== "prohibited" && [...word].length >= TYPO_MIN_LENGTH) {
    part.push({ term: exact, expand: true, editDistance: 1, boost: TYPO_BOOST });
  }
  return [part];
}

function refuse(text: string, reason: QueryErrorReason, message: string, term?: string, limit?: number): QueryError {
  const word = term?.replace(/~\d+$/, "");
  const at = word ? text.toLowerCase().indexOf(word) : -1;
  return new QueryError(message, Math.max(0, at), at >= 0 ? at + word!.length : text.length, { reason, term, limit });
}

/**
 * Parses a query in lunr's syntax and compiles it for our index terms, within `limits`;
 * throws {@link QueryError} when lunr cannot parse it or it goes beyond a limit.
 */
export function compileQuery(text: string, limits: QueryLimits = DEFAULT_QUERY_LIMITS): CompiledQuery {
  if (text.length > limits.maxLength) throw refuse(text, "too-long", `the query is longer than ${limits.maxLength} characters`, undefined, limits.maxLength);
  const query = new lunr.Query(FIELD_NAMES as string[]);
  try {
    new (lunr as unknown as { QueryParser: new (s: string, q: lunr.Query) => { parse(): lunr.Query } }).QueryParser(text, query).parse();
  } catch (error) {
    if (error instanceof lunr.QueryParseError) throw new QueryError(error.message, error.start, error.end, { cause: error });
    throw error;
  }
  const clauses: CompiledClause[] = [];
  let termCount = 0;
  const count = (term: string) => {
    if (++termCount > limits.maxTerms) throw refuse(text, "too-many-terms", `the query has more than ${limits.maxTerms} search terms`, term, limits.maxTerms);
  };
  for (const raw of query.clauses as unknown as LunrClause[]) {
    const presence = PRESENCE[raw.presence] ?? "optional";
    let parts: TermSpec[][];
    if (raw.term.includes("*")) {
      const pattern = foldText(raw.term).replace(/[^\p{L}\p{N}*]/gu, "");
      if (pattern.replace(/\*/g, "") === "") continue; // a lone `*` matches everything: ignore it
      if ([...pattern].length > limits.maxTermLength) throw refuse(text, "term-too-long", `“${raw.term}” is longer than ${limits.maxTermLength} characters`, raw.term, limits.maxTermLength);
      const head = pattern.slice(0, pattern.indexOf("*"));
      if ([...head].length < limits.minPrefix) {
        throw refuse(text, "wildcard-prefix", `“${raw.term}”: a wildcard needs at least ${limits.minPrefix} letters before the first *`, raw.term, limits.minPrefix);
      }
      count(raw.term);
      const alternatives: TermSpec[] = [{ term: pattern, expand: true, boost: 1, asked: raw.term }];
      // The index holds stems: `governments*` must also find `govern`.
      const stemmable = pattern.replace(/\*+$/, "");
      if (!stemmable.includes("*") && /^[a-z0-9]+$/.test(stemmable) && stem(stemmable) !== stemmable) alternatives.push({ term: `${stem(stemmable)}*`, expand: true, boost: 1 });
      parts = [alternatives];
    } else {
      const editDistance = raw.editDistance;
      if (editDistance !== undefined && editDistance > limits.maxEditDistance) {
        throw refuse(text, "edit-distance", `“${raw.term}~${editDistance}”: at most ${limits.maxEditDistance} typos can be allowed`, `${raw.term}~${editDistance}`, limits.maxEditDistance);
      }
      parts = [];
      for (const word of splitWords(raw.term)) {
        if ([...word].length > limits.maxTermLength) throw refuse(text, "term-too-long", `“${word}” is longer than ${limits.maxTermLength} characters`, word, limits.maxTermLength);
        const compiled = compileWord(word, editDistance, presence);
        if (compiled.length === 0) continue;
        count(word);
        const min = editDistance ? (FUZZY_MIN_LENGTH[editDistance] ?? 3 * editDistance) : 0;
        if (!isCjk(word) && [...word].length < min) {
          throw refuse(text, "fuzzy-too-short", `“${word}~${editDistance}”: ${editDistance === 1 ? "one typo needs" : `${editDistance} typos need`} a word of at least ${min} letters`, `${word}~${editDistance}`, min);
        }
        parts.push(...compiled);
      }
    }
    if (parts.length === 0) continue;
    clauses.push({ presence, fields: raw.fields, boost: raw.boost, parts });
  }
  return { clauses };
}

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
      throw new QueryError(`the query took longer than ${this.limits.timeBudgetMs} ms`, 0, 0, { reason: "too-slow", limit: this.limits.timeBudgetMs });
    }
  }

  /** The terms `spec` expands to in `segment`, within the limits (throws {@link QueryError} `too-broad` for an asked-for expansion beyond them). */
  expand(segment: Segment, spec: TermSpec): string[] {
    this.check();
    const { maxExpansions, maxExpansionSteps } = this.limits;
    if (spec.asked === undefined) {
      // Gather a few times the cap, then keep the terms most documents have.
      const found = segment.expand(spec.term, spec.editDistance ?? 0, { maxTerms: 4 * maxExpansions, maxSteps: maxExpansionSteps }).terms;
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
      throw new QueryError(`“${spec.asked}” is too broad to look up; make it more specific`, 0, 0, { reason: "too-broad", term: spec.asked, limit: maxExpansions });
    }
    if (found.overflow || seen.size > maxExpansions) {
      throw new QueryError(`“${spec.asked}” matches more than ${maxExpansions} words of the index; make it more specific`, 0, 0, { reason: "too-broad", term: spec.asked, limit: maxExpansions });
    }
    return found.terms;
  }
}

/** What one segment answers: matching document numbers with their scores. */
export interface SegmentHits {
  readonly docs: number[];
  readonly scores: number[];
  /** Index terms that matched (to highlight snippets). */
  readonly matched: Set<string>;
}

function resolve(segment: Segment, spec: TermSpec, budget: QueryBudget): string[] {
  if (!spec.expand) return segment.termId(spec.term) === undefined ? [] : [spec.term];
  const expanded = budget.expand(segment, spec);
  // A fuzzy expansion contains the exact term, which its own alternative already scores.
  return spec.editDistance ? expanded.filter((t) => t !== spec.term) : expanded;
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
    const parts = clause.parts.map((part) => part.map((spec) => ({ spec, terms: resolve(segment, spec, budget) })));
    if (clause.presence !== "prohibited") {
      for (const part of parts) {
        for (const { spec, terms } of part) {
          for (const term of terms) for (const f of fields) queryVectors[f]!.set(term, (queryVectors[f]!.get(term) ?? 0) + clause.boost * spec.boost);
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
    }
    if (any && clause.presence !== "prohibited") for (const t of clauseTerms) matched.add(t);
  }
  const docs: number[] = [];
  const scores: number[] = [];
  for (let doc = 0; doc < n; doc++) {
    const s = state[doc]!;
    if (s === -1) continue;
    if (positive && s !== 1) continue;
    if (requiredHits && requiredHits[doc] !== required) continue;
    docs.push(doc);
    scores.push(score[doc]!);
  }
  return { docs, scores, matched };
}
