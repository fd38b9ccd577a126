import { type DocMeta, shownText } from "./documents.ts";
import { splitWords, stripMarkdown, termsOfWord } from "./text.ts";

/** What a passage may be cut from beyond the summary: an item's translations and the opening of its body. */
export interface SnippetText {
  /** The Markdown body's first {@link MAX_BODY} characters ("" when it has none). */
  readonly body: string;
  readonly translations: readonly { readonly title: string; readonly summary: string }[];
}

/** Snippets look for a matched word in this many characters of a body at most. */
export const MAX_BODY = 50_000;

/** Where snippets find the texts the index does not keep (translations, body) of the current documents of items. */
export interface SnippetSource {
  /** Snippet texts of the given items (bodies cut at `maxBody`), in one read; an item missing from the answer has none. */
  texts(ids: readonly string[], maxBody: number): Promise<Map<string, SnippetText>>;
}

/** A piece of a passage: plain text (not escaped), and whether it is a word the query matched. */
export interface PassagePart {
  readonly text: string;
  readonly hit: boolean;
}

/**
 * A short passage of an item's text in reading order, each matched word a piece of its own;
 * web/ turns it into HTML (`passageHtml`). Empty when the text has no words.
 */
export type Passage = readonly PassagePart[];

const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const BEFORE = 8;
const AFTER = 22;

/** Most words whose index terms {@link termsOf} remembers (a few megabytes at most); the cache is cleared when full. */
const WORD_CACHE_SIZE = 20_000;
const wordTerms = new Map<string, readonly string[]>();

/**
 * The index terms of a word of a passage, remembered across queries: the same words recur in
 * every page of results, and folding and stemming them again was most of a passage's cost.
 */
function termsOf(word: string): readonly string[] {
  let terms = wordTerms.get(word);
  if (terms === undefined) {
    if (wordTerms.size >= WORD_CACHE_SIZE) wordTerms.clear();
    terms = splitWords(word).flatMap(termsOfWord);
    wordTerms.set(word, terms);
  }
  return terms;
}

function isHit(word: string, matched: ReadonlySet<string>): boolean {
  for (const t of termsOf(word)) if (matched.has(t)) return true;
  return false;
}

/**
 * A short passage of `text` around its first word whose index terms were matched, every
 * matched word marked as a hit; null when no word matches.
 */
export function makePassage(text: string, matched: ReadonlySet<string>): Passage | null {
  const words: { start: number; end: number; hit: boolean }[] = [];
  let first = -1;
  for (const m of text.matchAll(WORD)) {
    const hit = matched.size > 0 && isHit(m[0], matched);
    words.push({ start: m.index, end: m.index + m[0].length, hit });
    if (hit && first < 0) first = words.length - 1;
    if (first >= 0 && words.length > first + AFTER) break;
  }
  if (first < 0) return null;
  return cut(text, words, Math.max(0, first - BEFORE), Math.min(words.length, first + AFTER + 1));
}

/** Offset of the first word of `text` whose index terms were matched, or -1. */
export function firstHit(text: string, matched: ReadonlySet<string>): number {
  if (matched.size === 0) return -1;
  for (const m of text.matchAll(WORD)) if (isHit(m[0], matched)) return m.index;
  return -1;
}

/** The opening words of `text`, for results without a matching passage. */
export function leadPassage(text: string): Passage {
  const words: { start: number; end: number; hit: boolean }[] = [];
  for (const m of text.matchAll(WORD)) {
    words.push({ start: m.index, end: m.index + m[0].length, hit: false });
    if (words.length > BEFORE + AFTER) break;
  }
  return words.length === 0 ? [] : cut(text, words, 0, Math.min(words.length, BEFORE + AFTER));
}

/** Words `from` to `to` of `text` with the gaps between them (runs of space made one), "…" where text is cut. */
function cut(
  text: string,
  words: readonly { start: number; end: number; hit: boolean }[],
  from: number,
  to: number,
): Passage {
  const parts: PassagePart[] = [];
  let plain = from > 0 ? "…" : "";
  let at = words[from]!.start;
  for (let i = from; i < to; i++) {
    const w = words[i]!;
    plain += text.slice(at, w.start).replace(/\s+/g, " ");
    const word = text.slice(w.start, w.end);
    if (w.hit) {
      if (plain) parts.push({ text: plain, hit: false });
      parts.push({ text: word, hit: true });
      plain = "";
    } else plain += word;
    at = w.end;
  }
  const rest = text.slice(words[to - 1]!.end);
  plain += to < words.length || /[\p{L}\p{N}]/u.test(rest) ? "…" : rest.trim();
  if (plain) parts.push({ text: plain, hit: false });
  return parts;
}

/** Plain text around the first matched word of a Markdown body (stripping all of it is slow). */
function bodyWindow(markdown: string, matched: ReadonlySet<string>): string {
  const raw = markdown.slice(0, MAX_BODY);
  const at = firstHit(raw, matched);
  if (at < 0) return "";
  let start = Math.max(0, at - 300);
  if (start > 0) start = raw.indexOf(" ", start) + 1;
  return (start > 0 ? "… " : "") + stripMarkdown(raw.slice(start, at + 700));
}

/**
 * A passage per item of a page of results, by id: from the summary shown (in the reader's
 * `locale` when the item is translated into it) when it matches, else from the
 * translations and the body (read from `source`, only for this page), else the shown
 * summary's opening words.
 */
export async function pagePassages(
  page: readonly DocMeta[],
  matched: ReadonlySet<string>,
  source: SnippetSource,
  locale?: string,
): Promise<Map<string, Passage>> {
  const out = new Map<string, Passage>();
  const need: string[] = [];
  const summaryOf = (meta: DocMeta) => shownText(meta, locale).summary;
  for (const meta of page) {
    const s = makePassage(summaryOf(meta), matched) ?? (locale ? makePassage(meta.summary, matched) : null);
    if (s) out.set(meta.id, s);
    else need.push(meta.id);
  }
  // No match in the summary: look in the translations and the body (only for this page).
  const docs = need.length > 0 ? await source.texts(need, MAX_BODY) : new Map<string, SnippetText>();
  for (const meta of page) {
    if (out.has(meta.id)) continue;
    const d = docs.get(meta.id);
    const texts: string[] = [];
    if (d) {
      for (const t of d.translations) texts.push(t.summary, t.title);
      if (d.body) texts.push(bodyWindow(d.body, matched));
    }
    let s: Passage | null = null;
    for (const t of texts) if ((s = makePassage(t, matched))) break;
    out.set(meta.id, s ?? leadPassage(summaryOf(meta)));
  }
  return out;
}
