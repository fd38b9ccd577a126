// A search passage as HTML: the one place a search result's text becomes markup, for the
// search page and for the `snippet` of `GET /api/search`.

/** A piece of a passage as the search service gives it: plain text, and whether the query matched it. */
export interface PassagePart {
  readonly text: string;
  readonly hit: boolean;
}

// Numeric character references, not web/html.ts's named ones: `/api/search` has always sent
// its snippets escaped this way (public contract, and `wego search` decodes exactly these).
function escapeNumeric(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The passage as escaped HTML with every matched word in `<mark>`; "" for an empty passage. */
export function passageHtml(passage: readonly PassagePart[]): string {
  let out = "";
  for (const part of passage) out += part.hit ? `<mark>${escapeNumeric(part.text)}</mark>` : escapeNumeric(part.text);
  return out;
}
