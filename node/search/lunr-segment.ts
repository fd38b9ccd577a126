import lunr from "lunr";
import { FIELDS, FIELD_NAMES, type DocMeta, type IndexDoc } from "./documents.ts";
import { type CorpusStats, idf, MIN_WORD, type SegmentData } from "./segment.ts";
import { lunrTokenizer } from "./text.ts";

// The segment built through lunr's own Builder, then flattened: the reference the tests hold
// segment-build.ts's SegmentBuilder to (same terms, same weights), and the lunr index itself
// for comparing scores with lunr's Index#search. Not used by the node: lunr's builder holds
// ~58 KB per document.

/** Builds a segment through lunr's Builder, document by document. */
export class LunrSegmentBuilder {
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
