import { FIELD_NAMES, type DocMeta } from "./documents.ts";
import { expandFuzzy, expandWildcard, type ExpandLimits, type Expansion } from "./expand.ts";

/**
 * One immutable piece of the search index, in a compact array form.
 *
 * segment-build.ts builds it: posting lists of (document, weight), weight being lunr's
 * field-vector value of that term (tokenizer → BM25 field vectors, field boosts, precision
 * as lunr rounds it; lunr-segment.ts builds the same through lunr, for tests). Summing boost × weight over a query's
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
export const MIN_WORD = 3;

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
    // Shared memory, where the live index keeps postings (shared-data.ts then copies nothing).
    const out = new Uint8Array(new SharedArrayBuffer(n * 4));
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
