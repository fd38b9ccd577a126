import lunr from "lunr";
import { FIELD_NAMES } from "./documents.ts";
import type { Segment } from "./segment.ts";
import { bigrams, foldText, isCjk, splitWords, stem, termsOfWord } from "./text.ts";

/** A query lunr's parser rejected; `message` says why, `start`/`end` where. */
export class QueryError extends Error {
  override name = "QueryError";
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** How a clause must appear: lunr's `+term`, `-term` or plain. */
export type Presence = "optional" | "required" | "prohibited";

/** One alternative of a part: an index term, a pattern to expand, and its weight. */
export interface TermSpec {
  readonly term: string;
  /** Expand with lunr's TokenSet: a wildcard pattern (`gov*`) or, with `editDistance`, a fuzzy term. */
  readonly expand?: boolean;
  readonly editDistance?: number;
  readonly boost: number;
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
    part.push({ term: exact, expand: true, editDistance, boost: 1 });
  } else if (presence !== "prohibited" && [...word].length >= TYPO_MIN_LENGTH) {
    part.push({ term: exact, expand: true, editDistance: 1, boost: TYPO_BOOST });
  }
  return [part];
}

/** Parses a query in lunr's syntax and compiles it for our index terms; throws {@link QueryError}. */
export function compileQuery(text: string): CompiledQuery {
  const query = new lunr.Query(FIELD_NAMES as string[]);
  try {
    new (lunr as unknown as { QueryParser: new (s: string, q: lunr.Query) => { parse(): lunr.Query } }).QueryParser(text, query).parse();
  } catch (error) {
    if (error instanceof lunr.QueryParseError) throw new QueryError(error.message, error.start, error.end, { cause: error });
    throw error;
  }
  const clauses: CompiledClause[] = [];
  for (const raw of query.clauses as unknown as LunrClause[]) {
    const presence = PRESENCE[raw.presence] ?? "optional";
    let parts: TermSpec[][];
    if (raw.term.includes("*")) {
      const pattern = foldText(raw.term).replace(/[^\p{L}\p{N}*]/gu, "");
      if (pattern.replace(/\*/g, "") === "") continue; // a lone `*` matches everything: ignore it
      const alternatives: TermSpec[] = [{ term: pattern, expand: true, boost: 1 }];
      // The index holds stems: `governments*` must also find `govern`.
      const head = pattern.replace(/\*+$/, "");
      if (!head.includes("*") && /^[a-z0-9]+$/.test(head) && stem(head) !== head) alternatives.push({ term: `${stem(head)}*`, expand: true, boost: 1 });
      parts = [alternatives];
    } else {
      parts = splitWords(raw.term).flatMap((w) => compileWord(w, raw.editDistance, presence));
    }
    if (parts.length === 0) continue;
    clauses.push({ presence, fields: raw.fields, boost: raw.boost, parts });
  }
  return { clauses };
}

/** What one segment answers: matching document numbers with their scores. */
export interface SegmentHits {
  readonly docs: number[];
  readonly scores: number[];
  /** Index terms that matched (to highlight snippets). */
  readonly matched: Set<string>;
}

function resolve(segment: Segment, spec: TermSpec): string[] {
  if (!spec.expand) return segment.termId(spec.term) === undefined ? [] : [spec.term];
  const expanded = segment.expand(spec.term, spec.editDistance ?? 0);
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
export function runQuery(segment: Segment, query: CompiledQuery): SegmentHits {
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
    const parts = clause.parts.map((part) => part.map((spec) => ({ spec, terms: resolve(segment, spec) })));
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
