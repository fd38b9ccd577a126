import { html, trusted, type SafeHtml } from "../html.ts";
import { fieldLabel, fill } from "../i18n.ts";
import { rowIndices, type FormValues } from "../forms/form-values.ts";
import type { FieldSpec } from "../forms/schema-fields.ts";
import { csrfField, renderLayout, type PageFrame } from "./layout.ts";
import { typeLabel } from "./parts.ts";

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
  /** A message above the form (e.g. a conflict). */
  readonly notice?: string;
  /** Drafts and uploads (helper "drafts"): a "Save as draft" button, a file input per distribution. */
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

/** The id of the input for a JSON pointer: `/outcomes/0/metric` → `f-outcomes-0-metric`. */
export function fieldId(pointer: string): string {
  return `f${pointer.replace(/[^A-Za-z0-9]+/g, "-")}`;
}

function fieldValue(values: FormValues, pointer: string): string {
  const v = values[pointer];
  return Array.isArray(v) ? (v[0] ?? "") : ((v as string | undefined) ?? "");
}

interface RenderState {
  readonly frame: PageFrame;
  readonly view: ItemFormView;
}

function errorsAt(state: RenderState, pointer: string): readonly string[] {
  return state.view.errors.get(pointer) ?? [];
}

function describedBy(id: string, hint: boolean, errors: boolean): SafeHtml | "" {
  const ids = [hint ? `${id}-hint` : "", errors ? `${id}-error` : ""].filter(Boolean).join(" ");
  return ids ? html` aria-describedby="${ids}"` : "";
}

/** A field's label in the interface language (schema descriptions stay in English). */
function localLabel(state: RenderState, field: FieldSpec): string {
  return fieldLabel(state.frame.locale, field.name) ?? field.label;
}

function labelText(state: RenderState, field: FieldSpec): SafeHtml {
  return html`${localLabel(state, field)}${field.required ? html` <span class="req">(${state.frame.t.requiredField})</span>` : ""}`;
}

function errorBlock(id: string, errors: readonly string[]): SafeHtml | "" {
  return errors.length ? html`<p class="error-message" id="${id}-error">${errors.join("; ")}</p>` : "";
}

function renderField(state: RenderState, field: FieldSpec, pointer: string): SafeHtml {
  const { t } = state.frame;
  const id = fieldId(pointer);
  const errors = errorsAt(state, pointer);
  const invalid = errors.length > 0;
  const hintText = [
    field.description,
    field.kind === "lines" ? t.onePerLine : "",
    field.kind === "numbers" ? t.commaSeparated : "",
  ]
    .filter(Boolean)
    .join(" ");
  const hint = hintText ? html`<p class="hint" id="${id}-hint">${hintText}</p>` : "";
  const aria = html`${describedBy(id, Boolean(hintText), invalid)}${invalid ? html` aria-invalid="true"` : ""}${field.required ? html` aria-required="true"` : ""}`;
  const value = fieldValue(state.view.values, pointer);
  const cls = `field${invalid ? " invalid" : ""}`;
  switch (field.kind) {
    case "object":
      return html`<fieldset id="${id}" class="${cls}"><legend>${labelText(state, field)}</legend>${hint}${errorBlock(id, errors)}
${(field.children ?? []).map((c) => renderField(state, c, `${pointer}/${c.name}`))}</fieldset>`;
    case "rows":
      return renderRows(state, field, pointer);
    case "checkboxes": {
      const raw = state.view.values[pointer];
      const checked = new Set(Array.isArray(raw) ? raw : typeof raw === "string" && raw ? [raw] : []);
      return html`<fieldset id="${id}" class="${cls}"${describedBy(id, Boolean(hintText), invalid)}><legend>${labelText(state, field)}</legend>${hint}${errorBlock(id, errors)}
<div class="checks">${(field.options ?? []).map(
        (o, i) =>
          html`<label for="${id}-${i}"><input type="checkbox" id="${id}-${i}" name="${pointer}" value="${o}"${checked.has(o) ? " checked" : ""}> ${o}</label>`,
      )}</div></fieldset>`;
    }
    case "select":
      return html`<div class="${cls}"><label for="${id}">${labelText(state, field)}</label>${hint}${errorBlock(id, errors)}
<select id="${id}" name="${pointer}"${aria}><option value="">—</option>${(field.options ?? []).map((o) => html`<option${o === value ? " selected" : ""}>${o}</option>`)}</select></div>`;
    case "markdown": {
      const preview = state.view.previews?.get(pointer);
      return html`<div class="${cls}"><label for="${id}">${labelText(state, field)}</label>${hint}${errorBlock(id, errors)}
<textarea class="markdown" id="${id}" name="${pointer}" data-preview="${id}-preview"${aria}>${value}</textarea>
<button type="submit" name="_action" value="preview" class="secondary small">${t.preview}<span class="visually-hidden">: ${localLabel(state, field)}</span></button>
<div class="preview prose" id="${id}-preview" aria-live="polite"${preview === undefined ? " hidden" : ""}>${preview === undefined ? "" : html`<p class="hint">${t.previewHeading}</p>${trusted(preview)}`}</div></div>`;
    }
    case "textarea":
    case "lines":
      return html`<div class="${cls}"><label for="${id}">${labelText(state, field)}</label>${hint}${errorBlock(id, errors)}
<textarea id="${id}" name="${pointer}" rows="${field.kind === "lines" ? 4 : 3}"${aria}>${value}</textarea></div>`;
    default: {
      const type =
        field.kind === "url"
          ? "url"
          : field.kind === "email"
            ? "email"
            : field.kind === "date"
              ? "date"
              : field.kind === "number" || field.kind === "integer"
                ? "number"
                : "text";
      const step = field.kind === "number" ? html` step="any"` : "";
      return html`<div class="${cls}"><label for="${id}">${labelText(state, field)}</label>${hint}${errorBlock(id, errors)}
<input type="${type}" id="${id}" name="${pointer}" value="${value}"${step}${aria}></div>`;
    }
  }
}

function renderRows(state: RenderState, field: FieldSpec, pointer: string): SafeHtml {
  const { t } = state.frame;
  const id = fieldId(pointer);
  const errors = errorsAt(state, pointer);
  let indices = rowIndices(state.view.values, pointer);
  if (indices.length === 0 && (field.minItems ?? 0) > 0) indices = [0];
  if (state.view.addRow === pointer) indices = [...indices, indices.length ? Math.max(...indices) + 1 : 0];
  const rowName = state.frame.locale === "ko" ? localLabel(state, field) : (field.rowName ?? field.label);
  return html`<fieldset id="${id}" class="field${errors.length ? " invalid" : ""}"><legend>${labelText(state, field)}</legend>
${field.description ? html`<p class="hint">${field.description} ${t.rowHint}</p>` : html`<p class="hint">${t.rowHint}</p>`}${errorBlock(id, errors)}
${indices.map((i, n) => {
  const rowPointer = `${pointer}/${i}`;
  const rowId = fieldId(rowPointer);
  return html`<fieldset id="${rowId}"><legend class="row-legend">${rowName} ${n + 1}</legend>${errorBlock(rowId, errorsAt(state, rowPointer))}
${(field.children ?? []).map((c) => renderField(state, c, `${rowPointer}/${c.name}`))}${fileInput(state, field, rowPointer)}</fieldset>`;
})}
<button type="submit" name="_action" value="add:${pointer}" class="secondary small">${t.addRow}: ${rowName}</button>
</fieldset>`;
}

/** A dataset distribution's file input: the node stores the file and fills in URL, size, type and checksum. */
function fileInput(state: RenderState, field: FieldSpec, rowPointer: string): SafeHtml | "" {
  const maxMb = state.view.drafts?.maxUploadMb;
  if (field.name !== "distributions" || maxMb === undefined) return "";
  const { t } = state.frame;
  const id = fieldId(`${rowPointer}/file`);
  return html`<div class="field"><label for="${id}">${t.uploadFile}</label><p class="hint" id="${id}-hint">${fill(t.uploadHint, { mb: maxMb })}</p>
<input type="file" id="${id}" name="${rowPointer}/file" aria-describedby="${id}-hint"></div>`;
}

/** The label path of a JSON pointer in the form: `/outcomes/0/metric` → "Outcome 1 › Metric". */
export function labelFor(fields: readonly FieldSpec[], pointer: string): string {
  const parts = pointer.split("/").filter(Boolean);
  const out: string[] = [];
  let level: readonly FieldSpec[] = fields;
  let current: FieldSpec | undefined;
  for (const part of parts) {
    if (/^\d+$/.test(part) && current?.kind === "rows") {
      out[out.length - 1] = `${current.rowName ?? current.label} ${Number(part) + 1}`;
      continue;
    }
    current = level.find((f) => f.name === part);
    if (!current) {
      out.push(part);
      break;
    }
    out.push(current.label);
    level = current.children ?? [];
  }
  return out.join(" › ") || "/";
}

/** Where an error shows in the form: a field's pointer, and the entry of a list it is about. */
export interface ErrorPlace {
  readonly pointer: string;
  /** For an entry of a list edited in one field (SDGs, tags): its index. */
  readonly entry?: number;
}

/**
 * The field that shows an error at `pointer`: the pointer itself when the form renders a field
 * for it, else its deepest rendered ancestor — `/sdgs/2` is the SDGs field's third entry, and a
 * property the form does not know shows at the object that holds it.
 */
export function errorPlace(fields: readonly FieldSpec[], pointer: string): ErrorPlace {
  const parts = pointer.split("/").slice(1);
  let level: readonly FieldSpec[] = fields;
  let current: FieldSpec | undefined;
  let place = "";
  for (const part of parts) {
    if (current?.kind === "rows" && /^\d+$/.test(part)) {
      place += `/${part}`;
      continue;
    }
    if (current && current.kind !== "object" && current.kind !== "rows") {
      return /^\d+$/.test(part) ? { pointer: place, entry: Number(part) } : { pointer: place };
    }
    const next = level.find((f) => f.name === part);
    if (!next) break;
    place += `/${part}`;
    current = next;
    level = next.children ?? [];
  }
  return { pointer: place };
}

/** The errors by the pointer of the field that shows them, each entry's message saying which entry. */
function errorsByField(
  fields: readonly FieldSpec[],
  errors: ReadonlyMap<string, readonly string[]>,
  entryLabel: string,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [path, messages] of errors) {
    const { pointer, entry } = errorPlace(fields, path);
    const prefix = entry === undefined ? "" : `${fill(entryLabel, { n: entry + 1 })}: `;
    const list = out.get(pointer) ?? [];
    list.push(...messages.map((m) => prefix + m));
    out.set(pointer, list);
  }
  return out;
}

function anchorFor(pointer: string): string {
  return `#${fieldId(pointer || "/title")}`;
}

/** Renders the create or edit form of an item, generated from its type's schema. */
export function renderItemForm(frame: PageFrame, given: ItemFormView): string {
  const { t } = frame;
  const view = { ...given, errors: errorsByField(given.fields, given.errors, t.listEntry) };
  const state: RenderState = { frame, view };
  const allErrors = [...view.errors.entries()].flatMap(([path, messages]) =>
    messages.map((m) => ({ path, message: m })),
  );
  return renderLayout(
    { ...frame, scripts: ["preview.js"] },
    html`<p class="type">${typeLabel(t, view.type)}</p>
<h1>${view.heading}</h1>
${view.notice ? html`<p class="alert" role="alert">${view.notice}</p>` : ""}
${
  allErrors.length
    ? html`<div class="error-summary" role="alert" aria-labelledby="errors-h" tabindex="-1" id="errors">
  <h2 id="errors-h">${fill(t.errorsSummary, { n: allErrors.length })}</h2>
  <ul>${allErrors.map((e) => html`<li><a href="${anchorFor(e.path)}">${labelFor(view.fields, e.path)}</a>: ${e.message}</li>`)}</ul>
</div>`
    : ""
}
<form method="post" action="${view.action}" novalidate class="item-form"${view.drafts?.maxUploadMb !== undefined && view.fields.some((f) => f.name === "distributions") ? html` enctype="multipart/form-data"` : ""}>
${csrfField(frame)}
<button type="submit" name="_action" value="save" class="visually-hidden" tabindex="-1" aria-hidden="true">${view.mode === "new" ? t.save : t.saveChanges}</button>
${view.expectedVersion !== undefined ? html`<input type="hidden" name="_version" value="${String(view.expectedVersion)}">` : ""}
${view.fields.map((f) => renderField(state, f, `/${f.name}`))}
<div class="form-actions">
  <button type="submit" name="_action" value="save">${view.mode === "new" ? t.save : t.saveChanges}</button>
  ${view.drafts?.canSave ? html`<button type="submit" name="_action" value="draft" class="secondary">${t.saveDraft}</button>` : ""}
  ${view.drafts?.discardAction ? html`<button type="submit" formaction="${view.drafts.discardAction}" name="_action" value="discard" class="danger">${t.discardDraft}</button>` : ""}
  <a class="button secondary" href="/">${t.cancel}</a>
</div>
</form>`,
  );
}
