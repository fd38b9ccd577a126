import { html, trusted, type SafeHtml } from "../html.ts";
import { languageName, type Locale } from "../i18n.ts";
import type { FormText } from "../locales/form-en.ts";
import { fieldKey, formHint, formLabel, optionLabel } from "../forms/form-text.ts";
import type { FormValues } from "../forms/form-values.ts";
import type { FieldSpec } from "../forms/schema-fields.ts";
import { fieldId } from "./form-errors.ts";
import type { PageFrame } from "./layout.ts";

/** One choice of a picker filled from the library (the case a pathway exports). */
export interface Choice {
  readonly value: string;
  readonly label: string;
}

/** What every field renderer reads. */
export interface FieldState {
  readonly frame: PageFrame;
  readonly type: string;
  readonly text: FormText;
  readonly values: FormValues;
  /** Messages by the pointer of the field that shows them. */
  readonly errors: ReadonlyMap<string, readonly string[]>;
  readonly previews?: ReadonlyMap<string, string>;
  /** Pickers filled from the library, by field pointer (`/case`). */
  readonly choices?: ReadonlyMap<string, readonly Choice[]>;
  /** How many lists this field sits in (0 at the top): a template row's placeholder is `XROW<depth>X`. */
  readonly depth: number;
  /** A list field to show one more empty row in (the no-JavaScript "Add another"). */
  readonly addRow?: string;
  /** The largest upload in MB, when the node stores files: a dataset's distributions get a file input. */
  readonly maxUploadMb?: number;
  /** Renders a list field's rows (form-rows.ts): passed in, so the two files need not import each other. */
  readonly renderRows: (state: FieldState, field: FieldSpec, pointer: string) => SafeHtml;
}

/** Languages offered for a document's text; the current value is always offered too. */
const LANGUAGE_CHOICES = [
  "ar",
  "bn",
  "de",
  "en",
  "es",
  "fa",
  "fil",
  "fr",
  "hi",
  "id",
  "it",
  "ja",
  "kk",
  "km",
  "ko",
  "ky",
  "lo",
  "mn",
  "ms",
  "my",
  "ne",
  "nl",
  "pl",
  "pt",
  "pt-BR",
  "ru",
  "si",
  "sw",
  "th",
  "tr",
  "uk",
  "ur",
  "uz",
  "vi",
  "zh-Hans",
  "zh-Hant",
];

/** The value a form holds at a pointer, as one string. */
export function valueAt(values: FormValues, pointer: string): string {
  const v = values[pointer];
  return Array.isArray(v) ? (v[0] ?? "") : ((v as string | undefined) ?? "");
}

/** A field's label in the interface language. */
export function labelOf(state: FieldState, field: FieldSpec, pointer: string): string {
  return formLabel(state.frame.locale, state.type, fieldKey(pointer)) ?? field.label;
}

function hintOf(state: FieldState, field: FieldSpec, pointer: string): string {
  const hint = formHint(state.frame.locale, state.type, fieldKey(pointer));
  if (hint) return hint;
  return field.kind === "lines"
    ? state.frame.t.onePerLine
    : field.kind === "numbers"
      ? state.frame.t.commaSeparated
      : "";
}

function describedBy(id: string, hint: boolean, errors: boolean): SafeHtml | "" {
  const ids = [hint ? `${id}-hint` : "", errors ? `${id}-error` : ""].filter(Boolean).join(" ");
  return ids ? html` aria-describedby="${ids}"` : "";
}

/** The error message under a label, if there is one. */
export function errorBlock(id: string, errors: readonly string[]): SafeHtml | "" {
  return errors.length ? html`<p class="error-message" id="${id}-error">${errors.join("; ")}</p>` : "";
}

/** How one control is drawn: everything but the field spec, so translations share it. */
export interface Control {
  readonly pointer: string;
  readonly kind: FieldSpec["kind"];
  readonly label: string;
  readonly hint: string;
  readonly required: boolean;
  readonly options?: readonly Choice[];
  /** Show a preview button and box (Markdown fields). */
  readonly preview?: boolean;
}

function labelText(state: FieldState, control: Control): SafeHtml {
  return html`${control.label}${control.required ? html` <span class="req">(${state.frame.t.requiredField})</span>` : ""}`;
}

/** One labelled control with its hint and error: an input, a textarea or a select. */
export function renderControl(state: FieldState, control: Control): SafeHtml {
  const { t } = state.frame;
  const { pointer, kind } = control;
  const id = fieldId(pointer);
  const errors = state.errors.get(pointer) ?? [];
  const invalid = errors.length > 0;
  const hint = control.hint ? html`<p class="hint" id="${id}-hint">${control.hint}</p>` : "";
  const aria = html`${describedBy(id, Boolean(control.hint), invalid)}${invalid ? html` aria-invalid="true"` : ""}${control.required ? html` aria-required="true"` : ""}`;
  const value = valueAt(state.values, pointer);
  const head = html`<label for="${id}">${labelText(state, control)}</label>${hint}${errorBlock(id, errors)}`;
  const cls = `field${invalid ? " invalid" : ""} kind-${kind}`;
  if (control.options) {
    const known = control.options.some((o) => o.value === value);
    return html`<div class="${cls}">${head}
<select id="${id}" name="${pointer}"${aria}><option value="">${state.text.strings.choose}</option>${control.options.map((o) => html`<option value="${o.value}"${o.value === value ? " selected" : ""}>${o.label}</option>`)}${value && !known ? html`<option value="${value}" selected>${value}</option>` : ""}</select></div>`;
  }
  switch (kind) {
    case "markdown": {
      const preview = state.previews?.get(pointer);
      const button = control.preview
        ? html`
<button type="submit" name="_action" value="preview" class="secondary small">${t.preview}<span class="visually-hidden">: ${control.label}</span></button>
<div class="preview prose" id="${id}-preview" aria-live="polite"${preview === undefined ? " hidden" : ""}>${preview === undefined ? "" : html`<p class="hint">${t.previewHeading}</p>${trusted(preview)}`}</div>`
        : "";
      return html`<div class="${cls}">${head}
<textarea class="markdown" id="${id}" name="${pointer}"${control.preview ? html` data-preview="${id}-preview"` : ""}${aria}>${value}</textarea>${button}</div>`;
    }
    case "textarea":
    case "lines":
      return html`<div class="${cls}">${head}
<textarea id="${id}" name="${pointer}" rows="${kind === "lines" ? 4 : 3}"${aria}>${value}</textarea></div>`;
    default: {
      const type =
        { url: "url", email: "email", date: "date", number: "number", integer: "number" }[kind as string] ?? "text";
      const extra = kind === "number" ? html` step="any"` : kind === "integer" ? html` inputmode="numeric"` : "";
      return html`<div class="${cls}">${head}
<input type="${type}" id="${id}" name="${pointer}" value="${value}"${extra}${aria}></div>`;
    }
  }
}

function languageChoices(locale: Locale): Choice[] {
  const collator = new Intl.Collator(locale);
  return LANGUAGE_CHOICES.map((tag) => ({ value: tag, label: languageName(tag, locale) })).sort((a, b) =>
    collator.compare(a.label, b.label),
  );
}

function namedOptions(state: FieldState, field: FieldSpec, pointer: string): Choice[] {
  const key = fieldKey(pointer);
  return (field.options ?? []).map((o) => ({ value: o, label: optionLabel(state.frame.locale, key, o) ?? o }));
}

function renderCheckboxes(state: FieldState, field: FieldSpec, pointer: string): SafeHtml {
  const id = fieldId(pointer);
  const errors = state.errors.get(pointer) ?? [];
  const hint = hintOf(state, field, pointer);
  const raw = state.values[pointer];
  const checked = new Set(Array.isArray(raw) ? raw : typeof raw === "string" && raw ? [raw] : []);
  const options = namedOptions(state, field, pointer);
  return html`<fieldset id="${id}" class="field${errors.length ? " invalid" : ""}"${describedBy(id, Boolean(hint), errors.length > 0)}><legend>${labelText(state, { ...control(state, field, pointer), options })}</legend>${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : ""}${errorBlock(id, errors)}
<div class="checks${options.length > 8 ? " many" : ""}">${options.map(
    (o, i) =>
      html`<label for="${id}-${i}"><input type="checkbox" id="${id}-${i}" name="${pointer}" value="${o.value}"${checked.has(o.value) ? " checked" : ""}> ${o.label}</label>`,
  )}</div></fieldset>`;
}

function control(state: FieldState, field: FieldSpec, pointer: string): Control {
  return {
    pointer,
    kind: field.kind,
    label: labelOf(state, field, pointer),
    hint: hintOf(state, field, pointer),
    required: field.required,
  };
}

/** One field of the form, whatever its kind; lists of objects are drawn by `state.renderRows`. */
export function renderField(state: FieldState, field: FieldSpec, pointer: string): SafeHtml {
  const id = fieldId(pointer);
  switch (field.kind) {
    case "object": {
      const errors = state.errors.get(pointer) ?? [];
      const hint = hintOf(state, field, pointer);
      return html`<fieldset id="${id}" class="field group${errors.length ? " invalid" : ""}"><legend>${labelText(state, control(state, field, pointer))}</legend>${hint ? html`<p class="hint">${hint}</p>` : ""}${errorBlock(id, errors)}
<div class="group-fields">${(field.children ?? []).map((c) => renderField(state, c, `${pointer}/${c.name}`))}</div></fieldset>`;
    }
    case "rows":
      return state.renderRows(state, field, pointer);
    case "checkboxes":
      return renderCheckboxes(state, field, pointer);
    case "select":
      return renderControl(state, { ...control(state, field, pointer), options: namedOptions(state, field, pointer) });
    case "language":
      return renderControl(state, { ...control(state, field, pointer), options: languageChoices(state.frame.locale) });
    case "markdown":
      return renderControl(state, { ...control(state, field, pointer), preview: true });
    default: {
      const choices = state.choices?.get(pointer);
      if (choices?.length) return renderControl(state, { ...control(state, field, pointer), options: choices });
      if (choices) return renderControl(state, { ...control(state, field, pointer), hint: state.text.strings.noCases });
      return renderControl(state, control(state, field, pointer));
    }
  }
}
