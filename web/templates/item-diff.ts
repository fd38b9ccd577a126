import { diffArrays, diffWords, type ChangeObject } from "diff";
import { html, type SafeHtml } from "../html.ts";
import { fill, languageName, type Locale, type Strings } from "../i18n.ts";
import { changedFieldLabel } from "../forms/form-text.ts";
import { renderLayout, type PageFrame } from "./layout.ts";
import { dateTag, typeLabel } from "./parts.ts";
import { itemPageHref, type ItemAddress } from "./item-parts.ts";

// The comparison of two versions of an item, field by field in plain labels: text as a
// word-level diff (jsdiff), lists and records line by line. Every value is escaped by `html`.

/** One side of a comparison. */
export interface ComparedVersion {
  readonly version: number;
  readonly createdAt: string;
  readonly document: Record<string, unknown>;
}

/** What the compare page needs. */
export interface CompareView {
  readonly type: string;
  /** The item's title to head the page with (its newer version's, else its last one). */
  readonly title: string;
  readonly address: ItemAddress;
  readonly from: ComparedVersion;
  readonly to: ComparedVersion;
  /** Every version number, newest first: the choices of the compare form. */
  readonly versions: readonly number[];
}

/** One changed field, with its plain label. */
export interface FieldChange {
  readonly field: string;
  readonly label: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** Fields the node sets on every version: a change there says nothing a reader needs. */
const MANAGED = new Set(["id", "type", "attributedTo", "published", "updated", "version"]);

/** A bound on the word-level diff's work (jsdiff's `maxEditLength`): beyond it both texts are shown whole. */
const MAX_EDIT_LENGTH = 300;

/**
 * How much text one page diffs word by word, in characters: past it, changed texts are shown
 * whole. With {@link MAX_EDIT_LENGTH} it bounds a comparison's cost whatever the documents.
 */
export const PAGE_DIFF_BUDGET = 60_000;

/** What is left of a page's {@link PAGE_DIFF_BUDGET}. */
export interface DiffBudget {
  chars: number;
}

/** Word-level changes of two texts, or undefined when they are too far apart or the page's budget is spent. */
function wordChanges(before: string, after: string, budget: DiffBudget): ChangeObject<string>[] | undefined {
  const cost = before.length + after.length;
  if (cost > budget.chars) return undefined;
  budget.chars -= cost;
  return diffWords(before, after, { maxEditLength: MAX_EDIT_LENGTH });
}

/** JSON with sorted keys: two values are the same when these strings are. */
function canon(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canon).join(",")}]`;
  if (value !== null && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canon((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value) ?? "null";
}

/** A field's form label by its dotted path (the one any document type shares), else its name. */
function labelFor(locale: Locale, path: string): string {
  return changedFieldLabel(locale, "", path);
}

/** The fields whose values differ between two documents, in the newer document's order, managed fields left out. */
export function changedFieldsBetween(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  locale: Locale,
): FieldChange[] {
  const fields = [...new Set([...Object.keys(after), ...Object.keys(before)])].filter((f) => !MANAGED.has(f));
  return fields
    .filter((f) => canon(before[f]) !== canon(after[f]))
    .map((field) => ({ field, label: labelFor(locale, field), before: before[field], after: after[field] }));
}

/** A value on one line, for people: `What was measured: Users · Value: 1200`; `path` is the value's field path (`outcomes`). */
function inline(value: unknown, locale: Locale, path: string): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map((v) => inline(v, locale, path)).join(", ");
  if (typeof value === "object")
    return Object.entries(value)
      .map(([k, v]) => {
        const key = path ? `${path}.${k}` : k;
        return `${labelFor(locale, key)}: ${inline(v, locale, key)}`;
      })
      .join(" · ");
  return String(value);
}

/** A value as lines to compare: one per list entry, or per field of a record. */
function linesOf(field: string, value: unknown, locale: Locale): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.map((v) => inline(v, locale, field));
  if (typeof value === "object")
    return Object.entries(value).map(([k, v]) =>
      field === "translations"
        ? `${languageName(k, locale)}: ${inline(v, locale, "")}`
        : `${labelFor(locale, `${field}.${k}`)}: ${inline(v, locale, `${field}.${k}`)}`,
    );
  return [String(value)];
}

function marked(parts: readonly ChangeObject<string>[]): SafeHtml {
  return html`${parts.map((p) => (p.added ? html`<ins>${p.value}</ins>` : p.removed ? html`<del>${p.value}</del>` : p.value))}`;
}

/** Two texts as one, removed words in `<del>` and added ones in `<ins>`; both whole when the change is too large. */
export function wordDiff(
  t: Strings,
  before: string,
  after: string,
  budget: DiffBudget = { chars: PAGE_DIFF_BUDGET },
): SafeHtml {
  const parts = wordChanges(before, after, budget);
  if (parts) return html`<p class="diff-text">${marked(parts)}</p>`;
  return html`<p class="hint">${t.diffTooLong}</p>
<p class="row-legend">${t.diffBefore}</p><p class="diff-text"><del>${before}</del></p>
<p class="row-legend">${t.diffAfter}</p><p class="diff-text"><ins>${after}</ins></p>`;
}

/** Two lists of lines: kept, removed and added lines; a removed line replaced by one added line is marked word by word. */
function lineDiff(t: Strings, before: readonly string[], after: readonly string[], budget: DiffBudget): SafeHtml {
  const chunks = diffArrays([...before], [...after]);
  const items: SafeHtml[] = [];
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i]!;
    const next = chunks[i + 1];
    if (chunk.removed && next?.added && next.value.length === chunk.value.length) {
      chunk.value.forEach((line, j) => {
        items.push(
          html`<li>${marked(
            wordChanges(line, next.value[j]!, budget) ?? [
              { value: line, removed: true, added: false, count: 1 },
              { value: next.value[j]!, added: true, removed: false, count: 1 },
            ],
          )}</li>`,
        );
      });
      i++;
      continue;
    }
    for (const line of chunk.value)
      items.push(
        chunk.added
          ? html`<li class="added"><ins><span class="visually-hidden">${t.diffAdded}: </span>${line}</ins></li>`
          : chunk.removed
            ? html`<li class="removed"><del><span class="visually-hidden">${t.diffRemoved}: </span>${line}</del></li>`
            : html`<li>${line}</li>`,
      );
  }
  return html`<ul class="diff-lines">${items}</ul>`;
}

/** How one field changed. */
export function renderFieldChange(
  t: Strings,
  locale: Locale,
  change: FieldChange,
  budget: DiffBudget = { chars: PAGE_DIFF_BUDGET },
): SafeHtml {
  const { before, after } = change;
  const text = (v: unknown) => v === undefined || typeof v === "string" || typeof v === "number";
  if (text(before) && text(after)) return wordDiff(t, String(before ?? ""), String(after ?? ""), budget);
  return lineDiff(t, linesOf(change.field, before, locale), linesOf(change.field, after, locale), budget);
}

/** The form that picks two versions to compare (a GET form: works without JavaScript). */
export function renderCompareForm(
  t: Strings,
  address: ItemAddress,
  versions: readonly number[],
  chosen?: { readonly from: number; readonly to: number },
): SafeHtml | "" {
  if (versions.length < 2) return "";
  const from = chosen?.from ?? versions[1]!;
  const to = chosen?.to ?? versions[0]!;
  const options = (selected: number) =>
    versions.map((v) => html`<option value="${v}"${v === selected ? html` selected` : ""}>${t.version} ${v}</option>`);
  return html`<form class="compare" method="get" action="${address.path}">
<fieldset><legend>${t.compareHeading}</legend>
${address.id ? html`<input type="hidden" name="id" value="${address.id}">` : ""}
<label for="compare-from">${t.compareFrom}</label> <select id="compare-from" name="from">${options(from)}</select>
<label for="compare-to">${t.compareTo}</label> <select id="compare-to" name="to">${options(to)}</select>
<button type="submit" class="secondary">${t.compareButton}</button>
</fieldset>
</form>`;
}

/** The compare page: which fields changed between two versions, and how. */
export function renderComparePage(frame: PageFrame, view: CompareView): string {
  const { t, locale } = frame;
  const changes = changedFieldsBetween(view.from.document, view.to.document, locale);
  const fields = new Set(
    [...Object.keys(view.from.document), ...Object.keys(view.to.document)].filter((f) => !MANAGED.has(f)),
  );
  const unchanged = fields.size - changes.length;
  const budget: DiffBudget = { chars: PAGE_DIFF_BUDGET };
  const title = fill(t.compareTitle, { title: view.title });
  const version = (v: ComparedVersion) =>
    html`<a href="${itemPageHref(view.address, { version: v.version })}">${t.version} ${v.version}</a>`;
  return renderLayout(
    { ...frame, title },
    html`<p class="type">${typeLabel(t, view.type)}</p>
<h1>${title}</h1>
<p>${fill(t.compareIntro, { from: view.from.version, fromDate: view.from.createdAt.slice(0, 10), to: view.to.version, toDate: view.to.createdAt.slice(0, 10) })}</p>
<p class="meta">${version(view.from)} · ${dateTag(view.from.createdAt)} → ${version(view.to)} · ${dateTag(view.to.createdAt)} · <a href="${itemPageHref(view.address)}">${t.backToItem}</a></p>
${
  changes.length === 0
    ? html`<p class="notice">${t.compareSame}</p>`
    : html`<p class="hint">${t.diffLegend}</p>
<dl class="diff">${changes.map((c) => html`<div><dt>${c.label}</dt><dd>${renderFieldChange(t, locale, c, budget)}</dd></div>`)}</dl>
${unchanged > 0 ? html`<p class="meta">${fill(t.unchangedFields, { n: unchanged })}</p>` : ""}`
}
${renderCompareForm(t, view.address, view.versions, { from: view.from.version, to: view.to.version })}`,
  );
}
