import { html, type SafeHtml } from "../html.ts";
import { fill } from "../i18n.ts";
import { fieldKey, formHint, formRowName } from "../forms/form-text.ts";
import { rowIndices } from "../forms/form-values.ts";
import type { FieldSpec } from "../forms/schema-fields.ts";
import { fieldId } from "./form-errors.ts";
import { errorBlock, labelOf, renderField, type FieldState } from "./form-fields.ts";

/**
 * A list of rows (outcomes, phases, a phase's steps…). Without JavaScript, "Add another" and
 * "Remove" are submit buttons and the server draws the form again; web/static/form.js turns
 * them into in-place changes, copying the list's <template> row (whose index is `XROW<depth>X`).
 */
export function renderRows(state: FieldState, field: FieldSpec, pointer: string): SafeHtml {
  const { t } = state.frame;
  const id = fieldId(pointer);
  const errors = state.errors.get(pointer) ?? [];
  const key = fieldKey(pointer);
  const rowName = formRowName(state.frame.locale, key) ?? field.rowName ?? field.label;
  const hint = formHint(state.frame.locale, state.type, key);
  let indices = rowIndices(state.values, pointer);
  if (indices.length === 0 && (field.minItems ?? 0) > 0) indices = [0];
  if (state.addRow === pointer) indices = [...indices, indices.length ? Math.max(...indices) + 1 : 0];
  const placeholder = `XROW${state.depth}X`;
  return html`<fieldset id="${id}" class="field rows${errors.length ? " invalid" : ""}" data-rows="${pointer}" data-row-name="${rowName}">
<legend>${labelOf(state, field, pointer)}${field.required ? html` <span class="req">(${t.requiredField})</span>` : ""}</legend>
<p class="hint">${hint ? html`${hint} ` : ""}${t.rowHint}</p>${errorBlock(id, errors)}
<div class="row-list">${indices.map((i, n) => renderRow(state, field, `${pointer}/${i}`, rowName, n + 1))}</div>
<template data-row-template="${placeholder}">${renderRow({ ...state, values: {}, errors: new Map() }, field, `${pointer}/${placeholder}`, rowName, 0)}</template>
<p class="row-add"><button type="submit" name="_action" value="add:${pointer}" class="secondary small" data-add-row>${fill(state.text.strings.addRow, { row: rowName })}</button></p>
</fieldset>`;
}

/** One row: a numbered fieldset with the row's fields and a button that removes it. */
function renderRow(state: FieldState, field: FieldSpec, rowPointer: string, rowName: string, n: number): SafeHtml {
  const rowId = fieldId(rowPointer);
  const inner: FieldState = { ...state, depth: state.depth + 1 };
  const number = html`<span class="row-number">${n ? String(n) : ""}</span>`;
  const index = rowPointer.slice(rowPointer.lastIndexOf("/") + 1);
  return html`<fieldset id="${rowId}" class="row" data-index="${index}"><legend class="row-legend">${rowName} ${number}</legend>${errorBlock(rowId, state.errors.get(rowPointer) ?? [])}
<div class="group-fields">${rowFields(inner, field, rowPointer)}</div>
<p class="row-remove"><button type="submit" name="_action" value="remove:${rowPointer}" class="secondary small" data-remove-row>${fill(state.text.strings.removeRow, { row: rowName })}<span class="visually-hidden"> ${number}</span></button></p>
</fieldset>`;
}

/** The fields of one row; a dataset's distribution row has its own renderer, for what only it needs. */
function rowFields(state: FieldState, field: FieldSpec, rowPointer: string): SafeHtml {
  if (state.type === "Dataset" && fieldKey(rowPointer) === "distributions")
    return renderDistributionRow(state, field, rowPointer);
  return html`${(field.children ?? []).map((c) => renderField(state, c, `${rowPointer}/${c.name}`))}`;
}

/** The fields of one distribution of a dataset (a file to download, or a page or service). */
function renderDistributionRow(state: FieldState, field: FieldSpec, rowPointer: string): SafeHtml {
  return html`${(field.children ?? []).map((c) => renderField(state, c, `${rowPointer}/${c.name}`))}${fileInput(state, rowPointer)}`;
}

/** A distribution's file input: the node stores the file and fills in URL, size, type and checksum. */
function fileInput(state: FieldState, rowPointer: string): SafeHtml | "" {
  const maxMb = state.maxUploadMb;
  if (maxMb === undefined) return "";
  const { t } = state.frame;
  const id = fieldId(`${rowPointer}/file`);
  return html`<div class="field"><label for="${id}">${t.uploadFile}</label><p class="hint" id="${id}-hint">${fill(t.uploadHint, { mb: maxMb })}</p>
<input type="file" id="${id}" name="${rowPointer}/file" aria-describedby="${id}-hint"></div>`;
}
