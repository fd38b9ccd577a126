import { FIELDS, FIELD_NAMES, type DocMeta, type IndexDoc } from "./documents.ts";
import { type CorpusStats, idf, MIN_WORD, type SegmentData } from "./segment.ts";
import { fieldTerms } from "./text.ts";

/**
 * Builds one segment document by document, straight into typed arrays.
 *
 * The same segment lunr's `Builder` gives once flattened (lunr-segment.ts, which tests keep as
 * the reference): BM25 weights with lunr's k1 and b, field boosts, lunr's document frequency
 * (documents having the term, once per field) and lunr's rounding to three decimals. lunr's
 * builder holds an object per term, per field and per document (~58 KB per document, a
 * gigabyte of RSS for a base of 10,000 items); this one holds 12 bytes per (term, field,
 * document) posting and 4 per field of a document, plus the term list. `build()` ends it:
 * a builder builds once.
 */
export class SegmentBuilder {
  private readonly metas: DocMeta[] = [];
  /** Latin words seen, with their stems (shorter words are never typo-corrected). */
  private readonly words = new Map<string, string>();
  /** Term number (in order of first appearance) by term. */
  private readonly termNo = new Map<string, number>();
  private readonly terms: string[] = [];
  /** Postings as they come, document by document: (term, document × F + field, term frequency). */
  private readonly postings: PostingChunks;
  /** Length in terms of each field of each document, at document × F + field. */
  private readonly lengths = new GrowableU32();
  private readonly counts = new Map<number, number>();
  private built = false;

  /** `chunkTriples`: postings per chunk of native memory (tests make it small to cross chunks). */
  constructor(chunkTriples = CHUNK_TRIPLES) {
    this.postings = new PostingChunks(chunkTriples * 3);
  }
  private readonly noteWord = (word: string, stem: string) => {
    if (word.length >= MIN_WORD && !this.words.has(word)) this.words.set(word, stem);
  };

  /** Number of documents added so far. */
  get size(): number {
    return this.metas.length;
  }

  /** Adds one document; its position becomes its document number in the segment. */
  add(doc: IndexDoc): void {
    if (this.built) throw new Error("a SegmentBuilder builds once");
    const docField = this.metas.length * F;
    const text = doc.text as Readonly<Record<string, unknown>>;
    for (let f = 0; f < F; f++) {
      const terms = fieldTerms(text[FIELD_NAMES[f]!], this.noteWord);
      this.lengths.push(terms.length);
      const counts = this.counts;
      counts.clear();
      for (const term of terms) {
        let t = this.termNo.get(term);
        if (t === undefined) {
          t = this.terms.length;
          this.termNo.set(term, t);
          this.terms.push(term);
        }
        counts.set(t, (counts.get(t) ?? 0) + 1);
      }
      for (const [t, tf] of counts) this.postings.push(t, docField + f, tf);
    }
    this.metas.push(doc.meta);
  }

  /**
   * The segment. With `corpus`, term rarity and mean field lengths are those of this segment
   * plus the corpus (the base segment), so that a small delta's scores compare with the
   * base's; without, this segment's own.
   */
  build(corpus?: CorpusStats): SegmentData {
    if (this.built) throw new Error("a SegmentBuilder builds once");
    this.built = true;
    const own = this.metas.length;
    const lengths = this.lengths.view();
    const sums = FIELD_NAMES.map(() => 0);
    for (let i = 0; i < lengths.length; i++) sums[i % F]! += lengths[i]!;
    // lunr's mean field length (NaN for an empty segment, read as 0), then blended with the corpus'.
    const ownAvg = sums.map((sum) => sum / own);
    const withCorpus = corpus !== undefined && corpus.docCount > 0;
    const scoringAvg = withCorpus
      ? ownAvg.map((avg, f) => ((avg || 0) * own + corpus.avgLengths[f]! * corpus.docCount) / (own + corpus.docCount))
      : ownAvg;
    const avgLengths = scoringAvg.map((avg) => avg || 0);

    // Temporaries are plain arrays (the worker's heap, given back when it stops), typed arrays
    // only for what the segment keeps: see PostingChunks on native memory.
    const T = this.terms.length;
    const chunks = this.postings.release();
    const df: number[] = new Array<number>(T).fill(0);
    for (const p of chunks) for (let i = 0; i < p.length; i += 3) df[p[i]!]!++;
    const idfs = this.terms.map((term, t) =>
      withCorpus ? idf((corpus.df.get(term) ?? 0) + df[t]!, own + corpus.docCount) : idf(df[t]!, own),
    );

    const sorted = this.terms.map((_, t) => t).sort((a, b) => compare(this.terms[a]!, this.terms[b]!));
    const newId: number[] = new Array<number>(T).fill(0);
    sorted.forEach((t, i) => (newId[t] = i));
    // In shared memory from the start: the live index keeps postings there for the query
    // threads (shared-data.ts), which then takes these as they are instead of copying them.
    const offsets = new Uint32Array(new SharedArrayBuffer((T * F + 1) * 4));
    for (const p of chunks) for (let i = 0; i < p.length; i += 3) offsets[newId[p[i]!]! * F + (p[i + 1]! % F) + 1]!++;
    for (let i = 1; i <= T * F; i++) offsets[i]! += offsets[i - 1]!;
    const total = offsets[T * F]!;
    const docs = new Uint32Array(new SharedArrayBuffer(total * 4));
    const weights = new Float32Array(new SharedArrayBuffer(total * 4));
    // Filled in place: each list's start moves to its end (the next list's start), then back.
    // Postings were added document by document, so each list comes out in document order.
    for (const p of chunks)
      for (let i = 0; i < p.length; i += 3) {
        const docField = p[i + 1]!;
        const f = docField % F;
        const slot = offsets[newId[p[i]!]! * F + f]!++;
        docs[slot] = (docField - f) / F;
        weights[slot] = lunrWeight(idfs[p[i]!]!, p[i + 2]!, lengths[docField]! / scoringAvg[f]!, BOOSTS[f]!);
      }
    offsets.copyWithin(1, 0, T * F);
    offsets[0] = 0;
    this.postings.recycle();

    const terms = sorted.map((t) => this.terms[t]!);
    const words = [...this.words.keys()].filter((w) => this.termNo.has(this.words.get(w)!)).sort(compare);
    const wordTerms = words.map((w) => newId[this.termNo.get(this.words.get(w)!)!]!);
    return {
      fields: [...FIELD_NAMES],
      terms,
      words,
      wordTerms,
      metas: [...this.metas],
      avgLengths,
      offsets,
      docs,
      weights,
    };
  }
}

const F = FIELD_NAMES.length;
const BOOSTS = FIELD_NAMES.map((f) => FIELDS[f] || 1);
/** lunr's BM25 parameters (`Builder#k1`, `Builder#b`, left at their defaults). */
const K1 = 1.2;
const B = 0.75;

/** lunr's field-vector value of a term (`Builder#createFieldVectors`), in the same operations and order. */
function lunrWeight(idf: number, tf: number, relativeLength: number, boost: number): number {
  let score = (idf * ((K1 + 1) * tf)) / (K1 * (1 - B + B * relativeLength) + tf);
  score *= boost;
  return Math.round(score * 1000) / 1000;
}

/** JavaScript's default sort order (UTF-16 code units), which expansion relies on. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A Uint32Array that doubles as it fills (small: a piece's field lengths). */
class GrowableU32 {
  private data = new Uint32Array(1024);
  private length = 0;

  push(a: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = a;
  }

  /** The values pushed so far (a view: valid until the next push). */
  view(): Uint32Array {
    return this.data.subarray(0, this.length);
  }
}

/** Triples per chunk of postings: 4 MB each. */
const CHUNK_TRIPLES = 349_525;
/**
 * Chunks given back by finished builds, for the next (a compaction builds piece after piece).
 * Typed arrays live in native memory (malloc), not in V8's heap: allocating and freeing tens
 * of megabytes of them per piece left that memory with the allocator after the worker thread
 * had stopped (RSS 20–70 MB above the lunr build's once the compaction was over). Reused
 * chunks are allocated once per thread.
 */
const spareChunks: Uint32Array[] = [];
/** Spare chunks kept at most (a piece of 2,000 documents fills about five). */
const MAX_SPARE = 8;

/** Posting triples in fixed chunks, never copied as they grow. */
class PostingChunks {
  private chunks: Uint32Array[] = [];
  private used = 0;

  constructor(private readonly size: number) {}

  push(a: number, b: number, c: number): void {
    let chunk = this.chunks[this.chunks.length - 1];
    if (!chunk || this.used === chunk.length) {
      chunk = (this.size === CHUNK_TRIPLES * 3 && spareChunks.pop()) || new Uint32Array(this.size);
      this.chunks.push(chunk);
      this.used = 0;
    }
    chunk[this.used] = a;
    chunk[this.used + 1] = b;
    chunk[this.used + 2] = c;
    this.used += 3;
  }

  /** The triples, chunk by chunk (views, valid until {@link recycle}). */
  release(): Uint32Array[] {
    return this.chunks.map((chunk, i) => (i === this.chunks.length - 1 ? chunk.subarray(0, this.used) : chunk));
  }

  /** Gives the chunks back for the next build; this one holds nothing after. */
  recycle(): void {
    for (const chunk of this.chunks)
      if (chunk.length === CHUNK_TRIPLES * 3 && spareChunks.length < MAX_SPARE) spareChunks.push(chunk);
    this.chunks = [];
    this.used = 0;
  }
}
