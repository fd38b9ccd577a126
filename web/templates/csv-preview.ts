import { html, type SafeHtml } from "../html.ts";
import { fill, type Strings } from "../i18n.ts";

/** The first rows of one of a dataset's CSV files, as its page shows them. */
export interface CsvPreviewView {
  /** The distribution's title, or the file's name. */
  readonly name: string;
  readonly href: string;
  readonly preview: {
    readonly header: readonly string[];
    readonly rows: readonly (readonly string[])[];
    readonly truncated: boolean;
  };
}

/** Renders each preview as a table with a caption, in a region that scrolls sideways (and takes focus to). */
export function renderCsvPreviews(t: Strings, previews: readonly CsvPreviewView[]): SafeHtml {
  return html`${previews.map(
    (p, i) => html`<section aria-labelledby="csv-preview-${i}">
<h2 id="csv-preview-${i}">${fill(t.dataPreviewHeading, { file: p.name })}</h2>
<div class="csv-preview" role="region" tabindex="0" aria-labelledby="csv-preview-${i}">
<table>
<caption>${fill(t.dataPreviewCaption, { n: p.preview.rows.length, file: p.name })}</caption>
<thead><tr>${p.preview.header.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${p.preview.rows.map((r) => html`<tr>${p.preview.header.map((_, c) => html`<td>${r[c] ?? ""}</td>`)}</tr>`)}</tbody>
</table>
</div>
${p.preview.truncated ? html`<p class="hint">${t.dataPreviewTruncated} <a href="${p.href}">${p.name}</a></p>` : ""}
</section>`,
  )}`;
}
