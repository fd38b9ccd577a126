import { splitWords, termsOfWord } from "./text.ts";

const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const BEFORE = 8;
const AFTER = 22;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Words repeat across the results of one query: remember each word's answer per set.
const hitCache = new WeakMap<ReadonlySet<string>, Map<string, boolean>>();

function isHit(word: string, matched: ReadonlySet<string>): boolean {
  let cache = hitCache.get(matched);
  if (!cache) hitCache.set(matched, (cache = new Map()));
  let hit = cache.get(word);
  if (hit === undefined) {
    hit = false;
    for (const w of splitWords(word)) for (const t of termsOfWord(w)) if (matched.has(t)) hit = true;
    cache.set(word, hit);
  }
  return hit;
}

/**
 * A short passage of `text` around its first word whose index terms were matched, HTML
 * escaped, with every matched word wrapped in `<mark>`; null when no word matches.
 */
export function makeSnippet(text: string, matched: ReadonlySet<string>): string | null {
  const words: { start: number; end: number; hit: boolean }[] = [];
  let first = -1;
  for (const m of text.matchAll(WORD)) {
    const hit = matched.size > 0 && isHit(m[0], matched);
    words.push({ start: m.index, end: m.index + m[0].length, hit });
    if (hit && first < 0) first = words.length - 1;
    if (first >= 0 && words.length > first + AFTER) break;
  }
  if (first < 0) return null;
  return render(text, words, Math.max(0, first - BEFORE), Math.min(words.length, first + AFTER + 1));
}

/** Offset of the first word of `text` whose index terms were matched, or -1. */
export function firstHit(text: string, matched: ReadonlySet<string>): number {
  if (matched.size === 0) return -1;
  for (const m of text.matchAll(WORD)) if (isHit(m[0], matched)) return m.index;
  return -1;
}

/** The opening words of `text`, escaped, for results without a matching passage. */
export function leadSnippet(text: string): string {
  const words: { start: number; end: number; hit: boolean }[] = [];
  for (const m of text.matchAll(WORD)) {
    words.push({ start: m.index, end: m.index + m[0].length, hit: false });
    if (words.length > BEFORE + AFTER) break;
  }
  return words.length === 0 ? "" : render(text, words, 0, Math.min(words.length, BEFORE + AFTER));
}

function render(text: string, words: readonly { start: number; end: number; hit: boolean }[], from: number, to: number): string {
  let out = from > 0 ? "…" : "";
  let at = words[from]!.start;
  for (let i = from; i < to; i++) {
    const w = words[i]!;
    out += escapeHtml(text.slice(at, w.start).replace(/\s+/g, " "));
    const word = escapeHtml(text.slice(w.start, w.end));
    out += w.hit ? `<mark>${word}</mark>` : word;
    at = w.end;
  }
  const rest = text.slice(words[to - 1]!.end);
  if (to < words.length || /[\p{L}\p{N}]/u.test(rest)) out += "…";
  else out += escapeHtml(rest.trim());
  return out;
}
