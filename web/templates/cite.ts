import { html, type SafeHtml } from "../html.ts";
import type { Strings } from "../i18n.ts";

/** The "Cite this" box of an item page. */
export interface CiteView {
  /** The formatted reference (APA), plain text. */
  readonly text: string;
  /** Where the reference downloads in each format (`/api/items/citation?…`). */
  readonly downloads: readonly { readonly label: string; readonly href: string }[];
}

/** Renders the "Cite this" box: the reference to copy, and its downloads for reference managers. */
export function renderCiteBox(t: Strings, view: CiteView): SafeHtml {
  return html`<section class="cite" aria-labelledby="cite-h">
<h2 id="cite-h">${t.citeHeading}</h2>
<p class="hint">${t.citeHint}</p>
<blockquote><p>${view.text}</p></blockquote>
<p>${t.citeDownloads}:</p>
<ul class="inline-list">${view.downloads.map((d) => html`<li><a href="${d.href}" download>${d.label}</a></li>`)}</ul>
</section>`;
}
