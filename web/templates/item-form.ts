import { html, type SafeHtml } from "../html.ts";
import { fill, languageName } from "../i18n.ts";
import { formTextFor, sectionTitle } from "../forms/form-text.ts";
import { sectionsFor, type FormSection } from "../forms/form-sections.ts";
import { translationLanguages, type FormValues } from "../forms/form-values.ts";
import type { FieldSpec } from "../forms/schema-fields.ts";
import { errorsByField, fieldId, labelFor, translationLabel } from "./form-errors.ts";
import { renderControl, renderField, valueAt, type Choice, type FieldState } from "./form-fields.ts";
import { renderRows } from "./form-rows.ts";
import { csrfField, renderLayout, type PageFrame } from "./layout.ts";
import { typeLabel } from "./parts.ts";

export { errorPlace, fieldId, labelFor, type ErrorPlace } from "./form-errors.ts";
export type { Choice } from "./form-fields.ts";

/** What the create/edit form shows. */
export interface ItemFormView {
  readonly type: string;
  readonly fields: readonly FieldSpec[];
  readonly values: FormValues;
  /** Validation messages by JSON pointer (as the library reports them). */
  readonly errors: ReadonlyMap<string, readonly string[]>;
  readonly action: string;
  readonly mode: "new" | "edit";
  readonly heading: string;
  readonly expectedVersion?: number;
  /** An array field to show one more empty row in ("Add"). */
  readonly addRow?: string;
  /** Rendered previews of Markdown fields, by pointer (sanitized HTML). */
  readonly previews?: ReadonlyMap<string, string>;
  /** Pickers filled from the library, by field pointer: `/case` of a pathway. */
  readonly choices?: ReadonlyMap<string, readonly Choice[]>;
  /** A message above the form (e.g. a conflict). */
  readonly notice?: string;
  /** Drafts and uploads: a "Save as draft" button, a file input per distribution. */
  readonly drafts?: DraftControls;
}

/** The form's draft and upload controls. */
export interface DraftControls {
  /** Show "Save as draft" beside Publish. */
  readonly canSave: boolean;
  /** Where "Discard draft" posts, for a form editing a saved draft. */
  readonly discardAction?: string;
  /** The largest upload in MB; set when the node stores files (dataset distributions get a file input). */
  readonly maxUploadMb?: number;
}

/**
 * The languages the form offers translations in: those it holds, else Korean (English when
 * the text is written in Korean), so every item can carry its title and summary in both.
 */
function translationLangs(values: FormValues): string[] {
  const held = translationLanguages(values);
  if (held.length) return held;
  return [valueAt(values, "/language") === "ko" ? "en" : "ko"];
}

/** Title and summary with their translations beside them. */
function renderPaired(state: FieldState, field: FieldSpec, langs: readonly string[]): SafeHtml {
  const { locale } = state.frame;
  const hint = (lang: string) => fill(state.text.strings.translationHint, { lang: languageName(lang, locale) });
  return html`<div class="pair">${renderField(state, field, `/${field.name}`)}${langs.map((lang) =>
    renderControl(state, {
      pointer: `/translations/${lang}/${field.name}`,
      kind: field.kind,
      label: translationLabel(locale, lang, field.name),
      hint: hint(lang),
      required: false,
    }),
  )}</div>`;
}

/** The body's translations, folded away until one is written. */
function renderBodyTranslations(state: FieldState, langs: readonly string[]): SafeHtml {
  const { locale } = state.frame;
  return html`${langs.map((lang) => {
    const pointer = `/translations/${lang}/body`;
    const open = valueAt(state.values, pointer).trim() !== "" || state.errors.has(pointer);
    return html`<details class="translation"${open ? " open" : ""}><summary>${fill(state.text.strings.translationBodyToggle, { lang: languageName(lang, locale) })}</summary>
${renderControl(state, { pointer, kind: "markdown", label: translationLabel(locale, lang, "body"), hint: "", required: false })}</details>`;
  })}`;
}

function renderTopField(state: FieldState, field: FieldSpec, langs: readonly string[]): SafeHtml {
  if (field.name === "title" || field.name === "summary") return renderPaired(state, field, langs);
  if (field.name === "body") return html`${renderField(state, field, "/body")}${renderBodyTranslations(state, langs)}`;
  return renderField(state, field, `/${field.name}`);
}

/** Whether the form holds anything of a section: a value (even an empty row), an error, a row being added. */
function sectionInUse(view: ItemFormView, section: FormSection): boolean {
  const keys = [...Object.keys(view.values), ...view.errors.keys(), ...(view.addRow ? [view.addRow] : [])];
  return section.fields.some((f) =>
    keys.some(
      (k) =>
        k === `/${f.name}` ||
        k.startsWith(`/${f.name}/`) ||
        (f.name === "body" && /^\/translations\/[^/]+\/body$/.test(k) && valueAt(view.values, k) !== ""),
    ),
  );
}

/**
 * One section: a fieldset with a legend. A section nobody has filled in and that needs nothing
 * (a case's results, its people and costs) is folded in a <details>, which opens without
 * JavaScript: a new form starts short, and an edited item shows what it holds.
 */
function renderSection(
  state: FieldState,
  view: ItemFormView,
  section: FormSection,
  langs: readonly string[],
): SafeHtml {
  const title = sectionTitle(state.frame.locale, view.type, section.key);
  const fields = html`<div class="section-fields">${section.fields.map((f) => renderTopField(state, f, langs))}</div>`;
  if (!section.foldable || sectionInUse(view, section))
    return html`<fieldset class="section" id="section-${section.key}"><legend><span class="section-title">${title}</span></legend>
${fields}
</fieldset>`;
  return html`<details class="section-fold" id="section-${section.key}"><summary><span class="section-title">${title}</span> <span class="optional">(${state.text.strings.optional})</span></summary>
<fieldset class="section"><legend class="visually-hidden">${title}</legend>
${fields}
</fieldset></details>`;
}

/** The buttons at the foot of the form (publish, cancel; drafts add theirs here). */
function renderFormActions(frame: PageFrame, view: ItemFormView): SafeHtml {
  const { t } = frame;
  return html`<div class="form-actions">
  <button type="submit" name="_action" value="save">${view.mode === "new" ? t.save : t.saveChanges}</button>
  ${view.drafts?.canSave ? html`<button type="submit" name="_action" value="draft" class="secondary">${t.saveDraft}</button>` : ""}
  ${view.drafts?.discardAction ? html`<button type="submit" formaction="${view.drafts.discardAction}" name="_action" value="discard" class="danger">${t.discardDraft}</button>` : ""}
  <a class="button secondary" href="/">${t.cancel}</a>
</div>`;
}

function renderErrorSummary(frame: PageFrame, view: ItemFormView): SafeHtml | "" {
  const entries = [...view.errors.entries()].flatMap(([path, messages]) => messages.map((m) => ({ path, m })));
  if (!entries.length) return "";
  const ctx = { locale: frame.locale, type: view.type, fields: view.fields };
  return html`<div class="error-summary" role="alert" aria-labelledby="errors-h" tabindex="-1" id="errors">
  <h2 id="errors-h">${fill(frame.t.errorsSummary, { n: entries.length })}</h2>
  <ul>${entries.map((e) => html`<li><a href="#${fieldId(e.path || "/title")}">${labelFor(ctx, e.path)}</a>: ${e.m}</li>`)}</ul>
</div>`;
}

/** Renders the create or edit form of an item: its type's schema fields, in sections, in plain words. */
export function renderItemForm(frame: PageFrame, given: ItemFormView): string {
  const { t } = frame;
  const labels = { locale: frame.locale, type: given.type, fields: given.fields };
  const view = { ...given, errors: errorsByField(labels, given.errors, t.listEntry) };
  const state: FieldState = {
    frame,
    type: view.type,
    text: formTextFor(frame.locale),
    values: view.values,
    errors: view.errors,
    previews: view.previews,
    choices: view.choices,
    addRow: view.addRow,
    depth: 0,
    renderRows,
    maxUploadMb: view.drafts?.maxUploadMb,
  };
  const langs = translationLangs(view.values);
  const sections = sectionsFor(view.type, view.fields);
  return renderLayout(
    { ...frame, scripts: ["preview.js", "form.js"] },
    html`<p class="type">${typeLabel(t, view.type)}</p>
<h1>${view.heading}</h1>
${view.notice ? html`<p class="alert" role="alert">${view.notice}</p>` : ""}
${renderErrorSummary(frame, view)}
<form method="post" action="${view.action}" novalidate class="item-form"${view.drafts?.maxUploadMb !== undefined && view.fields.some((f) => f.name === "distributions") ? html` enctype="multipart/form-data"` : ""} data-row-added="${state.text.strings.rowAdded}" data-row-removed="${state.text.strings.rowRemoved}">
${csrfField(frame)}
<button type="submit" name="_action" value="save" class="visually-hidden" tabindex="-1" aria-hidden="true">${view.mode === "new" ? t.save : t.saveChanges}</button>
${view.expectedVersion !== undefined ? html`<input type="hidden" name="_version" value="${String(view.expectedVersion)}">` : ""}
${sections.map((s) => renderSection(state, view, s, langs))}
<p class="visually-hidden" aria-live="polite" id="form-status"></p>
${renderFormActions(frame, view)}
</form>`,
  );
}
