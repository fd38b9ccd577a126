import lunr from "lunr";
import { FIELD_NAMES } from "./documents.ts";
import { bigrams, foldText, isCjk, isLatin, splitWords, stem, termsOfWord } from "./text.ts";

/**
 * Why a query is refused: `syntax` when lunr cannot parse it; every other reason is one
 * of the {@link QueryLimits}.
 */
export type QueryErrorReason =
  | "syntax"
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
  /**
   * Typo tolerance the engine added: applied only when the part's exact term is in no
   * segment of the index (a word the index knows is taken as typed), scored below it.
   */
  readonly typo?: boolean;
  /** Expand over the index's words as written, each match standing for its stem (see segment.ts `words`). */
  readonly asWritten?: boolean;
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
  /**
   * Only the query's first words were searched: it was longer than `maxLength` characters or
   * had more than `maxTerms` plain words (a pasted paragraph). Absent otherwise.
   */
  readonly shortened?: true;
}

/** Weight of a typo-corrected term relative to the exact one. */
const TYPO_BOOST = 0.2;

/**
 * The typos the engine forgives in a word it does not know, by the word's length as typed:
 * none under 5 letters (`flod` is not `flood`, `vote` not `note`), one from 5 to 8
 * (`votng`, `dashbord`), two from 9 on (`partcipaton`).
 */
export function typoDistance(word: string): number {
  const n = [...word].length;
  return n < 5 ? 0 : n < 9 ? 1 : 2;
}

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
  const typos = typoDistance(word);
  if (editDistance !== undefined && editDistance > 0) {
    part.push({ term: exact, expand: true, editDistance, boost: 1, asked: `${word}~${editDistance}` });
  } else if (presence !== "prohibited" && typos > 0) {
    // A stemmed word is compared with the words as written: stems of different words can
    // be one letter apart (`vote`, `note`) and a typo can change the stem (`votng`).
    const asWritten = isLatin(word);
    part.push({
      term: asWritten ? word : exact,
      expand: true,
      editDistance: typos,
      boost: TYPO_BOOST,
      typo: true,
      ...(asWritten ? { asWritten } : {}),
    });
  }
  return [part];
}

function refuse(text: string, reason: QueryErrorReason, message: string, term?: string, limit?: number): QueryError {
  const word = term?.replace(/~\d+$/, "");
  const at = word ? text.toLowerCase().indexOf(word) : -1;
  return new QueryError(message, Math.max(0, at), at >= 0 ? at + word!.length : text.length, { reason, term, limit });
}

const KNOWN_FIELDS = new Set<string>(FIELD_NAMES);
// lunr's query syntax characters; a backslash before one makes it part of the word.
const SYNTAX = /[:^~+\-*\\]/g;

/**
 * The query with a colon kept as field scoping only after a known field name (any case), and
 * escaped everywhere else: `mVoting: residents vote` or `covid-19: response` are words, not
 * fields. A hyphen inside a word already separates words in lunr.
 */
function scopeKnownFieldsOnly(text: string): string {
  return text.replace(/(^|[\s+-])([^\s:+\-~^*\\]+):/gu, (_whole, before: string, name: string) =>
    KNOWN_FIELDS.has(name.toLowerCase()) ? `${before}${name.toLowerCase()}:` : `${before}${name}\\:`,
  );
}

function parseLunr(text: string): lunr.Query {
  const query = new lunr.Query(FIELD_NAMES as string[]);
  new (lunr as unknown as { QueryParser: new (s: string, q: lunr.Query) => { parse(): lunr.Query } }).QueryParser(
    text,
    query,
  ).parse();
  return query;
}

/**
 * Parses what a person typed: lunr's syntax where it is meant (`+budget -tax title:응답소
 * gov* complant~1`), and where it cannot be (`title:` alone, `call^high`, `park~x`), the same
 * text as plain words. Any query gets results; only the limits refuse one.
 */
function parseForgiving(text: string): lunr.Query {
  try {
    return parseLunr(scopeKnownFieldsOnly(text));
  } catch (error) {
    if (!(error instanceof lunr.QueryParseError)) throw error;
  }
  try {
    return parseLunr(text.replace(SYNTAX, (c) => `\\${c}`));
  } catch (error) {
    if (error instanceof lunr.QueryParseError)
      throw new QueryError(error.message, error.start, error.end, { cause: error });
    throw error;
  }
}

/**
 * Parses a query (lunr's syntax, forgiven where it cannot apply) and compiles it for our index
 * terms, within `limits`; throws {@link QueryError} when it goes beyond a limit.
 */
export function compileQuery(typed: string, limits: QueryLimits = DEFAULT_QUERY_LIMITS): CompiledQuery {
  // A pasted paragraph is searched by its first words, never refused: the cost stays that of
  // a query of `maxLength` characters and `maxTerms` words.
  let shortened = typed.length > limits.maxLength;
  const text = shortened ? firstWords(typed, limits.maxLength) : typed;
  const query = parseForgiving(text);
  const clauses: CompiledClause[] = [];
  let termCount = 0;
  /** Counts a search term; answers false for a plain word beyond the limit (the query stops there). */
  const count = (term: string, plain: boolean): boolean => {
    if (++termCount <= limits.maxTerms) return true;
    if (plain) return false;
    throw refuse(
      text,
      "too-many-terms",
      `the query has more than ${limits.maxTerms} search terms`,
      term,
      limits.maxTerms,
    );
  };
  eachClause: for (const raw of query.clauses as unknown as LunrClause[]) {
    const presence = PRESENCE[raw.presence] ?? "optional";
    let parts: TermSpec[][];
    if (raw.term.includes("*")) {
      const pattern = foldText(raw.term).replace(/[^\p{L}\p{N}*]/gu, "");
      if (pattern.replace(/\*/g, "") === "") continue; // a lone `*` matches everything: ignore it
      if ([...pattern].length > limits.maxTermLength)
        throw refuse(
          text,
          "term-too-long",
          `“${raw.term}” is longer than ${limits.maxTermLength} characters`,
          raw.term,
          limits.maxTermLength,
        );
      const head = pattern.slice(0, pattern.indexOf("*"));
      if ([...head].length < limits.minPrefix) {
        throw refuse(
          text,
          "wildcard-prefix",
          `“${raw.term}”: a wildcard needs at least ${limits.minPrefix} letters before the first *`,
          raw.term,
          limits.minPrefix,
        );
      }
      count(raw.term, false);
      const alternatives: TermSpec[] = [{ term: pattern, expand: true, boost: 1, asked: raw.term }];
      // The index holds stems: `governments*` must also find `govern`.
      const stemmable = pattern.replace(/\*+$/, "");
      if (!stemmable.includes("*") && /^[a-z0-9]+$/.test(stemmable) && stem(stemmable) !== stemmable)
        alternatives.push({ term: `${stem(stemmable)}*`, expand: true, boost: 1 });
      parts = [alternatives];
    } else {
      const editDistance = raw.editDistance;
      if (editDistance !== undefined && editDistance > limits.maxEditDistance) {
        throw refuse(
          text,
          "edit-distance",
          `“${raw.term}~${editDistance}”: at most ${limits.maxEditDistance} typos can be allowed`,
          `${raw.term}~${editDistance}`,
          limits.maxEditDistance,
        );
      }
      parts = [];
      for (const word of splitWords(raw.term)) {
        if ([...word].length > limits.maxTermLength)
          throw refuse(
            text,
            "term-too-long",
            `“${word}” is longer than ${limits.maxTermLength} characters`,
            word,
            limits.maxTermLength,
          );
        const compiled = compileWord(word, editDistance, presence);
        if (compiled.length === 0) continue;
        if (!count(word, editDistance === undefined)) {
          shortened = true;
          if (parts.length > 0) clauses.push({ presence, fields: raw.fields, boost: raw.boost, parts });
          break eachClause;
        }
        const min = editDistance ? (FUZZY_MIN_LENGTH[editDistance] ?? 3 * editDistance) : 0;
        if (!isCjk(word) && [...word].length < min) {
          throw refuse(
            text,
            "fuzzy-too-short",
            `“${word}~${editDistance}”: ${editDistance === 1 ? "one typo needs" : `${editDistance} typos need`} a word of at least ${min} letters`,
            `${word}~${editDistance}`,
            min,
          );
        }
        parts.push(...compiled);
      }
    }
    if (parts.length === 0) continue;
    clauses.push({ presence, fields: raw.fields, boost: raw.boost, parts });
  }
  return shortened ? { clauses, shortened } : { clauses };
}

/** The longest start of `text` within `max` characters that ends between words. */
function firstWords(text: string, max: number): string {
  const head = text.slice(0, max + 1);
  const end = head.search(/\s\S*$/u);
  return (end > 0 ? head.slice(0, end) : text.slice(0, max)).trimEnd();
}
