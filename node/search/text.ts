import lunr from "lunr";

// lunr's own tokenizer splits on spaces and hyphens and its trimmer strips `\W` at token
// edges, which deletes every Hangul, Han or kana letter. These functions replace both, and
// are shared by the index builder (worker) and the query side so that the two agree.

const CJK = /[\p{Script=Han}\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const SCRIPT_RUNS =
  /[\p{Script=Han}\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}]+|[^\p{Script=Han}\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}]+/gu;
const WORDS = /[\p{L}\p{N}]+/gu;
const MARKS = /\p{M}/gu;
const LATIN = /^[a-z0-9]+$/;
/** Longer tokens are noise (hashes, run-together URLs) and bloat the term list. */
const MAX_TOKEN = 40;

/** Lower-cases and folds accents (NFKD, combining marks dropped); Hangul syllables survive. */
export function foldText(text: string): string {
  // NFKD splits Hangul syllables into jamo: NFC puts them back after the marks are gone.
  return text.normalize("NFKD").replace(MARKS, "").normalize("NFC").toLowerCase();
}

/** Whether a (folded) word is written in a CJK script. */
export function isCjk(word: string): boolean {
  return CJK.test(word);
}

/** Overlapping character pairs of a CJK word (the word itself when it has one or two letters). */
export function bigrams(word: string): string[] {
  const chars = [...word];
  if (chars.length <= 2) return [word];
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}

const stopWords = new Set<string>();
{
  // lunr's English stop-word list, read from its filter so the two stay identical.
  const probe = lunr.stopWordFilter as unknown as (t: lunr.Token) => lunr.Token | undefined;
  for (const w of "a able about across after all almost also am among an and any are as at be because been but by can cannot could dear did do does either else ever every for from get got had has have he her hers him his how however i if in into is it its just least let like likely may me might most must my neither no nor not of off often on only or other our own rather said say says she should since so some than that the their them then there these they this tis to too twas us wants was we were what when where which while who whom why will with would yet you your".split(
    " ",
  )) {
    if (probe(new lunr.Token(w, {})) === undefined) stopWords.add(w);
  }
}

const stemCache = new Map<string, string>();
const STEM_CACHE_MAX = 100_000;

/** The Porter stem of a folded Latin word (memoised: corpora repeat their words). */
export function stem(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    s = (lunr.stemmer as unknown as (t: lunr.Token) => lunr.Token)(new lunr.Token(word, {})).toString();
    if (stemCache.size >= STEM_CACHE_MAX) stemCache.clear();
    stemCache.set(word, s);
  }
  return s;
}

/** Folded words of a text, each in its own script (`abc서울` gives `abc` and `서울`). */
export function splitWords(text: string): string[] {
  const out: string[] = [];
  for (const word of foldText(text).match(WORDS) ?? []) {
    if (!isCjk(word)) out.push(word);
    else for (const run of word.match(SCRIPT_RUNS) ?? []) out.push(run);
  }
  return out;
}

/**
 * The index terms of one folded word: its stem for Latin words (nothing for a stop word),
 * the word and its bigrams for CJK words, the word itself otherwise.
 */
export function termsOfWord(word: string): string[] {
  if (word.length > MAX_TOKEN) return [];
  if (isCjk(word)) {
    const grams = bigrams(word);
    return grams.length > 1 ? [word, ...grams] : grams;
  }
  if (LATIN.test(word)) {
    if (stopWords.has(word)) return [];
    return [stem(word)];
  }
  return [word];
}

/** Whether a folded word is a Latin word that is stemmed (letters a–z and digits). */
export function isLatin(word: string): boolean {
  return LATIN.test(word);
}

/** Called with each stemmed Latin word of a text and its stem (to keep the words as typed). */
export type OnLatinWord = (word: string, stem: string) => void;

/**
 * Every index term of a text, in order (duplicates kept: lunr counts term frequency); with
 * `onLatinWord`, each Latin word that became a term is reported with its stem.
 */
export function indexTerms(text: string, onLatinWord?: OnLatinWord): string[] {
  const out: string[] = [];
  for (const word of splitWords(text)) {
    const terms = termsOfWord(word);
    for (const t of terms) out.push(t);
    if (onLatinWord && terms.length === 1 && LATIN.test(word)) onLatinWord(word, terms[0]!);
  }
  return out;
}

/** The index terms of a field's value (a string, a list of strings, or nothing), as the builder counts them. */
export function fieldTerms(value: unknown, onLatinWord?: OnLatinWord): string[] {
  if (value === null || value === undefined) return [];
  return indexTerms(Array.isArray(value) ? value.join(" \n ") : String(value), onLatinWord);
}

/** A lunr tokenizer producing {@link fieldTerms}; the builder's pipeline is left empty. */
export function lunrTokenizer(value: unknown, onLatinWord?: OnLatinWord): lunr.Token[] {
  return fieldTerms(value, onLatinWord).map((t) => new lunr.Token(t, {}));
}

/**
 * Plain text of Markdown: link targets, images' URLs, HTML tags and the markup
 * punctuation are dropped; words stay in order (for indexing and snippets).
 */
export function stripMarkdown(markdown: string): string {
  return markdown
    .replace(/```[^\n]*\n/g, "\n")
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, " ")
    .replace(/https?:\/\/\S+/g, " ")
    .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+/gm, "")
    .replace(/^\s*\|?\s*:?-{3,}.*$/gm, "")
    .replace(/[*_`~|]+/g, " ")
    .replace(/[ \t]+/g, " ")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
