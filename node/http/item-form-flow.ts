import type { Context } from "koa";
import type { Uploads } from "../library/uploads.ts";
import { renderMarkdown } from "../render/markdown.ts";
import type { FormValues } from "../../web/forms/form-values.ts";
import type { Library, WriteResult } from "../library/library.ts";
import type { Choice, ItemFormView } from "../../web/templates/item-form.ts";
import type { FieldSpec } from "../../web/forms/schema-fields.ts";
import { fill, type Strings } from "../../web/i18n.ts";
import { titleIn } from "./item-pages.ts";
import { markKept, uploadsOf } from "./multipart.ts";

// What the officials' item forms share (publish, edit, drafts): reading the submitted values,
// mapping the library's messages to fields, previews, and the files a dataset form carries.

/** Fields of a published item that its edit form does not show, kept as they were (translations are edited beside the original). */
export const KEPT_FIELDS = ["city", "country"] as const;

const CONTROL_FIELDS = new Set(["_csrf", "_action", "_version", "next", "id"]);

/** The document fields of a submitted form (JSON-pointer names), without its control fields. */
export function formValues(form: Record<string, string | string[]>): FormValues {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(form)) if (!CONTROL_FIELDS.has(k) && k.startsWith("/")) out[k] = v;
  return out;
}

/** Validation messages by JSON pointer. */
export function errorMap(details: readonly { path: string; message: string }[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const d of details) map.set(d.path, [...(map.get(d.path) ?? []), d.message]);
  return map;
}

/** Shows an item form again, as the officials' routers do. */
export type ShowForm = (
  ctx: Context,
  status: number,
  view: Omit<ItemFormView, "fields"> & { fields?: readonly FieldSpec[] },
) => Promise<void>;

/**
 * Shows the form again, as typed, when the library refused a write that the official can mend
 * there: invalid fields (400, each message at its field) or a newer version saved meanwhile
 * (409, the form now builds on that version). Answers whether it did.
 */
export async function reshowRefusedWrite(
  showForm: ShowForm,
  ctx: Context,
  result: WriteResult | { readonly ok: false; readonly reason: string },
  form: Omit<ItemFormView, "fields" | "values" | "errors">,
  values: FormValues,
  conflictNotice: string,
): Promise<boolean> {
  if (result.ok) return false;
  if ("details" in result) await showForm(ctx, 400, { ...form, values, errors: errorMap(result.details) });
  else if ("currentVersion" in result)
    await showForm(ctx, 409, {
      ...form,
      expectedVersion: result.currentVersion,
      values,
      errors: new Map(),
      notice: conflictNotice,
    });
  else return false;
  return true;
}

/** The sanitized HTML of every filled Markdown field, by pointer. */
export function markdownPreviews(fields: readonly FieldSpec[], values: FormValues): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of fields) {
    if (f.kind !== "markdown") continue;
    const v = values[`/${f.name}`];
    if (typeof v === "string" && v.trim()) out.set(`/${f.name}`, renderMarkdown(v));
  }
  return out;
}

/** The upload size limit in whole MB, as the form states it. */
export function maxUploadMb(uploads: Uploads): number {
  return Math.floor(uploads.maxBytes / (1024 * 1024)) || 1;
}

/** What the files of a submission did to its form. */
export interface AppliedUploads {
  readonly values: FormValues;
  /** Messages for refused files, at their distribution row. */
  readonly errors: Map<string, string[]>;
  /** What was stored, for the notice above the form. */
  readonly stored: readonly string[];
  /** A file was over the size limit. */
  readonly tooLarge: boolean;
}

const FILE_FIELD = /^\/distributions\/(\d{1,3})\/file$/;

/**
 * Keeps the files of a dataset form and fills each one's distribution row: download URL (a
 * content-addressed path this node serves), byte size, media type sniffed from the bytes,
 * SHA-256 checksum, and the format when the row has none. Files of other inputs, or of forms
 * that are not datasets, are dropped; refused files are reported and nothing of them stays.
 */
export async function applyUploads(
  ctx: Context,
  options: { readonly uploads?: Uploads; readonly type: string; readonly origin: string; readonly t: Strings },
  given: FormValues,
): Promise<AppliedUploads> {
  const values: Record<string, string | readonly string[]> = { ...given };
  const errors = new Map<string, string[]>();
  const stored: string[] = [];
  let tooLarge = false;
  const { uploads, t } = options;
  for (const { field, result } of uploadsOf(ctx)) {
    const row = FILE_FIELD.exec(field);
    if (!uploads || !row || options.type !== "Dataset") continue;
    const at = `/distributions/${row[1]}`;
    if (!result.ok) {
      tooLarge ||= result.reason === "too-large";
      const message =
        result.reason === "too-large"
          ? fill(t.uploadTooLarge, { name: result.name, mb: maxUploadMb(uploads) })
          : fill(t.uploadEmpty, { name: result.name });
      errors.set(`${at}/file`, [...(errors.get(`${at}/file`) ?? []), message]);
      continue;
    }
    const kept = await uploads.keep(result.file);
    markKept(ctx, result.file.temp);
    values[`${at}/downloadURL`] = `${options.origin}/files/${kept.sha256}/${kept.name}`;
    values[`${at}/byteSize`] = String(kept.byteSize);
    values[`${at}/mediaType`] = kept.mediaType;
    values[`${at}/checksum/algorithm`] = "sha256";
    values[`${at}/checksum/value`] = kept.sha256;
    const format = values[`${at}/format`];
    if (kept.format && (format === undefined || format === "")) values[`${at}/format`] = kept.format;
    stored.push(fill(t.uploadedFile, { name: kept.name, size: kept.byteSize }));
  }
  return { values, errors, stored, tooLarge };
}

/** Form values without a row (`remove:/outcomes/2`): everything under its pointer goes. */
export function withoutRow(values: FormValues, rowPointer: string): FormValues {
  const out: Record<string, string | readonly string[]> = {};
  for (const [k, v] of Object.entries(values)) if (k !== rowPointer && !k.startsWith(`${rowPointer}/`)) out[k] = v;
  return out;
}

/** The most case studies the pathway form offers to choose from. */
const MAX_CASE_CHOICES = 500;

/**
 * The case studies a pathway can export: this node's and verified peers', as "title (city)",
 * each titled in the reader's language where it carries that translation, sorted as that language sorts.
 */
export async function caseChoices(
  library: Library,
  locale: string,
  format: (title: string, city: string) => string,
): Promise<Choice[]> {
  const { items } = await library.list({ type: "CaseStudy", limit: MAX_CASE_CHOICES });
  const usable = items.filter((i) => i.local || i.verified);
  // Only the cases written in another language are read whole, for their translated title.
  const others = await library.getMany(usable.filter((i) => i.language !== locale).map((i) => i.id));
  return usable
    .map((i) => {
      const stored = others.get(i.id);
      return { value: i.id, label: format(stored ? titleIn(stored, locale) : i.title, i.city) };
    })
    .sort((a, b) => a.label.localeCompare(b.label, locale));
}
