import lunr from "lunr";
import { FIELDS, FIELD_NAMES, type DocMeta, type IndexDoc } from "./documents.ts";
import { expandFuzzy, expandWildcard, type ExpandLimits, type Expansion } from "./expand.ts";
import { lunrTokenizer } from "./text.ts";

/**
 * One immutable piece of the search index, in a compact array form.
 *
 * lunr builds it (tokenizer → BM25 field vectors, field boosts, precision as lunr rounds
 * it); the result is then flattened into posting lists of (document, weight), weight
 * being lunr's field-vector value of that term. Summing boost × weight over a query's
 * terms, divided by the query vector's magnitude per field, gives exactly lunr's
 * `Index#query` score (see query.ts), but with arrays instead of lunr's objects per
 * posting and per match: lunr's own loop costs ~13 µs per matching
 * document, which is 130 ms for a common term at 10,000 items. It also serialises to a
 * few typed arrays that load in milliseconds instead of seconds of JSON.
 */
export interface SegmentData {
  readonly fields: readonly string[];
  /** Index terms, sorted by UTF-16 code units (JavaScript's default sort; expansion relies on it). */
  readonly terms: readonly string[];
  readonly metas: readonly DocMeta[];
  /** Mean length of each field, in terms (BM25's length normalisation). */
  readonly avgLengths: readonly number[];
  /**
   * The Latin words of the segment as written (folded, not stemmed), sorted like `terms`:
   * typo tolerance compares what a person typed with words, not stems (`votng` is one
   * letter from `voting`, two from its stem `vote`).
   */
  readonly words: readonly string[];
  /** The term (index into `terms`) of each of `words`: its stem. */
  readonly wordTerms: readonly number[];
  /** Postings of term t in field f are `docs/weights[offsets[t*F+f] .. offsets[t*F+f+1])`. */
  readonly offsets: Uint32Array;
  readonly docs: Uint32Array;
  readonly weights: Float32Array;
}

/** Builds lunr indexes document by document (so a large build never holds every text). */
export class SegmentBuilder {
  private readonly builder = new lunr.Builder();
  private readonly metas: DocMeta[] = [];
  /** Latin words seen, with their stems (shorter words are never typo-corrected). */
  private readonly words = new Map<string, string>();

  constructor() {
    const noteWord = (word: string, stem: string) => {
      if (word.length >= MIN_WORD && !this.words.has(word)) this.words.set(word, stem);
    };
    // lunr passes the field's metadata as a second argument: keep it away from ours.
    (this.builder as unknown as { tokenizer: (value: unknown) => lunr.Token[] }).tokenizer = (value) =>
      lunrTokenizer(value, noteWord);
    this.builder.ref("ref");
    for (const f of FIELD_NAMES) this.builder.field(f, { boost: FIELDS[f] });
  }

  /** Number of documents added so far. */
  get size(): number {
    return this.metas.length;
  }

  /** Adds one document; its position becomes its document number in the segment. */
  add(doc: IndexDoc): void {
    this.builder.add({ ref: String(this.metas.length), ...doc.text });
    this.metas.push(doc.meta);
  }

  /** The lunr index itself (tests compare scores with it). */
  buildLunr(): lunr.Index {
    return this.builder.build();
  }

  /**
   * Computes lunr's field vectors and flattens them. With `corpus`, term rarity and mean
   * field lengths are those of this segment plus the corpus (the base segment), so that
   * a small delta's scores compare with the base's; without, lunr's own statistics.
   */
  build(corpus?: CorpusStats): SegmentData {
    const b = this.builder as unknown as BuilderInternals;
    b.calculateAverageFieldLengths();
    const own = this.metas.length;
    if (corpus && corpus.docCount > 0) {
      FIELD_NAMES.forEach((f, i) => {
        b.averageFieldLength[f] =
          ((b.averageFieldLength[f] || 0) * own + corpus.avgLengths[i]! * corpus.docCount) / (own + corpus.docCount);
      });
      const termOf = new Map<object, string>(Object.entries(b.invertedIndex).map(([t, posting]) => [posting, t]));
      const patchable = lunr as unknown as { idf: unknown };
      const lunrIdf = patchable.idf;
      // lunr.idf gets a posting and lunr's own count; it is looked up on every call, so
      // it can be pointed at the whole corpus for this (synchronous) computation only.
      patchable.idf = (posting: Record<string, object>) => {
        let documentsWithTerm = corpus.df.get(termOf.get(posting)!) ?? 0;
        for (const field in posting) if (field !== "_index") documentsWithTerm += Object.keys(posting[field]!).length;
        return idf(documentsWithTerm, own + corpus.docCount);
      };
      try {
        b.createFieldVectors();
      } finally {
        patchable.idf = lunrIdf;
      }
    } else b.createFieldVectors();
    const avgLengths = FIELD_NAMES.map((f) => b.averageFieldLength[f] || 0);
    return flatten(b.invertedIndex, b.fieldVectors, this.metas, avgLengths, this.words);
  }
}

/** What a delta build needs to know of the rest of the index. */
export interface CorpusStats {
  readonly docCount: number;
  /** lunr's document frequency of each term (documents having it, once per field). */
  readonly df: ReadonlyMap<string, number>;
  readonly avgLengths: readonly number[];
}

/** Statistics of several segments together (the pieces of a base). */
export function corpusStatsOf(parts: readonly SegmentData[]): CorpusStats {
  const df = new Map<string, number>();
  let docCount = 0;
  const sums = FIELD_NAMES.map(() => 0);
  for (const d of parts) {
    const n = d.metas.length;
    const F = d.fields.length;
    d.terms.forEach((t, i) => df.set(t, (df.get(t) ?? 0) + d.offsets[(i + 1) * F]! - d.offsets[i * F]!));
    d.avgLengths.forEach((avg, f) => (sums[f]! += avg * n));
    docCount += n;
  }
  return { docCount, df, avgLengths: sums.map((sum) => (docCount > 0 ? sum / docCount : 0)) };
}

interface BuilderInternals {
  invertedIndex: Record<string, { _index: number }>;
  fieldVectors: Record<string, { elements: number[] }>;
  averageFieldLength: Record<string, number>;
  calculateAverageFieldLengths(): void;
  createFieldVectors(): void;
}

/** Flattens lunr's inverted index and field vectors (refs must be document numbers) into {@link SegmentData}. */
export function flatten(
  invertedIndex: BuilderInternals["invertedIndex"],
  fieldVectors: BuilderInternals["fieldVectors"],
  metas: readonly DocMeta[],
  avgLengths: readonly number[],
  wordStems: ReadonlyMap<string, string> = new Map(),
): SegmentData {
  const fields = [...FIELD_NAMES] as string[];
  const F = fields.length;
  const fieldNo = new Map(fields.map((f, i) => [f, i]));
  const terms = Object.keys(invertedIndex).sort();
  const T = terms.length;
  const newId = new Int32Array(T);
  terms.forEach((t, i) => (newId[invertedIndex[t]!._index] = i));
  const counts = new Uint32Array(T * F + 1);
  const vectors: [number, number, number[]][] = [];
  for (const [fieldRef, vector] of Object.entries(fieldVectors)) {
    const slash = fieldRef.indexOf("/");
    const f = fieldNo.get(fieldRef.slice(0, slash))!;
    const doc = Number(fieldRef.slice(slash + 1));
    const el = vector.elements;
    if (el.length === 0) continue;
    vectors.push([f, doc, el]);
    for (let i = 0; i < el.length; i += 2) counts[newId[el[i]!]! * F + f]!++;
  }
  const offsets = new Uint32Array(T * F + 1);
  for (let i = 0, acc = 0; i <= T * F; i++) {
    offsets[i] = acc;
    acc += counts[i]!;
  }
  const total = offsets[T * F]!;
  const docs = new Uint32Array(total);
  const weights = new Float32Array(total);
  const fill = offsets.slice(0, T * F);
  for (const [f, doc, el] of vectors) {
    for (let i = 0; i < el.length; i += 2) {
      const slot = fill[newId[el[i]!]! * F + f]!++;
      docs[slot] = doc;
      weights[slot] = el[i + 1]!;
    }
  }
  const termNo = new Map(terms.map((t, i) => [t, i]));
  const words = [...wordStems.keys()].filter((w) => termNo.has(wordStems.get(w)!)).sort();
  const wordTerms = words.map((w) => termNo.get(wordStems.get(w)!)!);
  return { fields, terms, words, wordTerms, metas: [...metas], avgLengths: [...avgLengths], offsets, docs, weights };
}

/** A loaded segment: its data plus the lookups queries need. */
export class Segment {
  readonly fieldNo: ReadonlyMap<string, number>;
  private readonly termIds = new Map<string, number>();
  /** How many of its documents are the current version of a live item. */
  live = 0;
  /**
   * 1 for each document that is its item's current version (kept by live-docs.ts, read by query
   * threads in shared memory): queries test every matching document, an array read is cheap.
   */
  readonly current: Uint8Array;

  constructor(
    readonly data: SegmentData,
    current?: Uint8Array,
  ) {
    this.current = current ?? new Uint8Array(new SharedArrayBuffer(data.metas.length));
    this.fieldNo = new Map(data.fields.map((f, i) => [f, i]));
    data.terms.forEach((t, i) => this.termIds.set(t, i));
  }

  /** Number of documents, live or superseded. */
  get size(): number {
    return this.data.metas.length;
  }

  /** Term number, or undefined when the segment never saw the term. */
  termId(term: string): number | undefined {
    return this.termIds.get(term);
  }

  /**
   * Terms matching a wildcard pattern, or within an edit distance of a term, found in the
   * sorted term list within `limits` (see expand.ts: lunr's TokenSet has no bounds, and
   * building one for a large segment took a second on the event loop).
   */
  expand(pattern: string, editDistance: number, limits: ExpandLimits): Expansion {
    return editDistance > 0
      ? expandFuzzy(this.data.terms, pattern, editDistance, limits)
      : expandWildcard(this.data.terms, pattern, limits);
  }

  /**
   * Terms whose words (as written) are within `editDistance` of `word`: each matching
   * word's stem, once (see {@link SegmentData.words}).
   */
  expandWords(word: string, editDistance: number, limits: ExpandLimits): Expansion {
    const found = expandFuzzy(this.data.words, word, editDistance, limits);
    const terms = [...new Set(found.terms.map((w) => this.data.terms[this.data.wordTerms[this.wordNo(w)]!]!))];
    return { ...found, terms };
  }

  private wordNo(word: string): number {
    const { words } = this.data;
    let lo = 0;
    let hi = words.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (words[mid]! < word) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** lunr's document frequency of a term: documents having it, counted once per field. */
  df(termId: number): number {
    const F = this.data.fields.length;
    return this.data.offsets[(termId + 1) * F]! - this.data.offsets[termId * F]!;
  }

  /** Calls `fn(doc, weight)` for each posting of a term in a field. */
  postings(termId: number, field: number, fn: (doc: number, weight: number) => void): void {
    const { offsets, docs, weights, fields } = this.data;
    const at = termId * fields.length + field;
    const end = offsets[at + 1]!;
    for (let i = offsets[at]!; i < end; i++) fn(docs[i]!, weights[i]!);
  }
}

/** lunr's inverse document frequency (`lunr.idf`), from a document frequency and a count. */
export function idf(documentsWithTerm: number, documentCount: number): number {
  const x = (documentCount - documentsWithTerm + 0.5) / (documentsWithTerm + 0.5);
  return Math.log(1 + Math.abs(x));
}

const MAGIC = 0x57474f53; // "WGOS"
const SET_MAGIC = 0x57474f42; // "WGOB"
/**
 * 2: words as written (typo tolerance) and translated titles and summaries in the metadata;
 * 3: an adoption's status in the metadata (its facet).
 */
const FORMAT = 3;
/** Words shorter than this are not kept as written: typo tolerance starts at five letters. */
const MIN_WORD = 3;

/** Serialises a segment (plus what the caller wants kept with it) into one buffer. */
export function encodeSegment(data: SegmentData, extra: Record<string, unknown>): Buffer {
  const header = Buffer.from(
    JSON.stringify({
      format: FORMAT,
      ...extra,
      fields: data.fields,
      avgLengths: data.avgLengths,
      terms: data.terms,
      words: data.words,
      wordTerms: data.wordTerms,
      metas: data.metas,
      counts: [data.offsets.length, data.docs.length],
    }),
  );
  const pre = Buffer.alloc(8);
  pre.writeUInt32LE(MAGIC, 0);
  pre.writeUInt32LE(header.length, 4);
  const pad = Buffer.alloc((4 - ((8 + header.length) % 4)) % 4);
  const view = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return Buffer.concat([pre, header, pad, view(data.offsets), view(data.docs), view(data.weights)]);
}

/** Reads {@link encodeSegment}'s output; null when it is not a segment of this format. */
export function decodeSegment(buf: Buffer): { data: SegmentData; extra: Record<string, unknown> } | null {
  if (buf.length < 8 || buf.readUInt32LE(0) !== MAGIC) return null;
  const headerLength = buf.readUInt32LE(4);
  const { format, fields, avgLengths, terms, words, wordTerms, metas, counts, ...extra } = JSON.parse(
    buf.toString("utf8", 8, 8 + headerLength),
  ) as {
    format: number;
    fields: string[];
    avgLengths: number[];
    terms: string[];
    words: string[];
    wordTerms: number[];
    metas: DocMeta[];
    counts: [number, number];
  };
  if (format !== FORMAT || fields.join() !== FIELD_NAMES.join()) return null;
  let at = 8 + headerLength + ((4 - ((8 + headerLength) % 4)) % 4);
  // Copy into fresh, aligned buffers: the file buffer may sit at any offset of a pool.
  const take = (n: number) => {
    const out = new Uint8Array(n * 4);
    out.set(buf.subarray(at, at + n * 4));
    at += n * 4;
    return out.buffer;
  };
  const offsets = new Uint32Array(take(counts[0]));
  const docs = new Uint32Array(take(counts[1]));
  const weights = new Float32Array(take(counts[1]));
  if (at !== buf.length) return null;
  return { data: { fields, avgLengths, terms, words, wordTerms, metas, offsets, docs, weights }, extra };
}

/** Serialises the pieces of a base, with what the caller keeps with them, into one buffer. */
export function encodeSegments(parts: readonly SegmentData[], extra: Record<string, unknown>): Buffer {
  const header = Buffer.from(JSON.stringify({ format: FORMAT, ...extra, count: parts.length }));
  const encoded = parts.map((d) => encodeSegment(d, {}));
  const pre = Buffer.alloc(8);
  pre.writeUInt32LE(SET_MAGIC, 0);
  pre.writeUInt32LE(header.length, 4);
  const lengths = encoded.map((e) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(e.length, 0);
    return b;
  });
  return Buffer.concat([pre, header, ...encoded.flatMap((e, i) => [lengths[i]!, e])]);
}

/** Reads {@link encodeSegments}'s output; null when it is not a base of this format. */
export function decodeSegments(buf: Buffer): { parts: SegmentData[]; extra: Record<string, unknown> } | null {
  if (buf.length < 8 || buf.readUInt32LE(0) !== SET_MAGIC) return null;
  const headerLength = buf.readUInt32LE(4);
  let header: { format: number; count: number } & Record<string, unknown>;
  try {
    header = JSON.parse(buf.toString("utf8", 8, 8 + headerLength)) as typeof header;
  } catch {
    return null;
  }
  const { format, count, ...extra } = header;
  if (format !== FORMAT) return null;
  const parts: SegmentData[] = [];
  let at = 8 + headerLength;
  for (let i = 0; i < count; i++) {
    if (at + 4 > buf.length) return null;
    const length = buf.readUInt32LE(at);
    const decoded = decodeSegment(buf.subarray(at + 4, at + 4 + length));
    if (!decoded) return null;
    parts.push(decoded.data);
    at += 4 + length;
  }
  return at === buf.length ? { parts, extra } : null;
}
