import { fill, languageName, type Locale } from "../i18n.ts";
import { formMessage } from "../forms/form-messages.ts";
import { fieldKey, formLabel, formRowName, formTextFor, optionLabel } from "../forms/form-text.ts";
import { TRANSLATED_FIELDS } from "../forms/form-values.ts";
import type { FieldSpec } from "../forms/schema-fields.ts";

/** The id of the input for a JSON pointer: `/outcomes/0/metric` → `f-outcomes-0-metric`. */
export function fieldId(pointer: string): string {
  return `f${pointer.replace(/[^A-Za-z0-9]+/g, "-")}`;
}

/** What names a form's fields: the type (its own labels) and the interface language. */
export interface LabelContext {
  readonly locale: Locale;
  readonly type: string;
  readonly fields: readonly FieldSpec[];
}

/** A translated field's label: "Title in Korean". */
export function translationLabel(locale: Locale, lang: string, part: string): string {
  const s = formTextFor(locale).strings;
  const template = part === "summary" ? s.translationSummary : part === "body" ? s.translationBody : s.translationTitle;
  return fill(template, { lang: languageName(lang, locale) });
}

/** The label path of a JSON pointer in the form: `/outcomes/0/metric` → "Result 1 › What was measured". */
export function labelFor(ctx: LabelContext, pointer: string): string {
  const parts = pointer.split("/").filter(Boolean);
  if (parts[0] === "translations" && parts[1]) return translationLabel(ctx.locale, parts[1], parts[2] ?? "title");
  const out: string[] = [];
  let level: readonly FieldSpec[] = ctx.fields;
  let current: FieldSpec | undefined;
  let path = "";
  for (const part of parts) {
    if (/^\d+$/.test(part) && current?.kind === "rows") {
      const rowName = formRowName(ctx.locale, fieldKey(path)) ?? current.rowName ?? current.label;
      out[out.length - 1] = `${rowName} ${Number(part) + 1}`;
      continue;
    }
    current = level.find((f) => f.name === part);
    if (!current) {
      out.push(part);
      break;
    }
    path += `/${part}`;
    out.push(formLabel(ctx.locale, ctx.type, fieldKey(path)) ?? current.label);
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
 * property the form does not know shows at the object that holds it. A translation's error shows
 * at its translated field (its title when the error is about the translation as a whole).
 */
export function errorPlace(fields: readonly FieldSpec[], pointer: string): ErrorPlace {
  const parts = pointer.split("/").slice(1);
  if (parts[0] === "translations" && parts[1]) {
    const part = (TRANSLATED_FIELDS as readonly string[]).includes(parts[2] ?? "") ? parts[2] : "title";
    return { pointer: `/translations/${parts[1]}/${part}` };
  }
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

/**
 * The errors by the pointer of the field that shows them, in the form's language, each entry's
 * message saying which entry.
 */
export function errorsByField(
  ctx: LabelContext,
  errors: ReadonlyMap<string, readonly string[]>,
  entryLabel: string,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [path, messages] of errors) {
    const { pointer, entry } = errorPlace(ctx.fields, path);
    const key = fieldKey(path);
    // A name in a message is a choice of the field, or a property of the object it is about.
    const nameOf = (name: string) =>
      optionLabel(ctx.locale, key, name) ??
      (key ? formLabel(ctx.locale, ctx.type, `${key}.${name}`) : formLabel(ctx.locale, ctx.type, name)) ??
      name;
    const prefix = entry === undefined ? "" : `${fill(entryLabel, { n: entry + 1 })}: `;
    const list = out.get(pointer) ?? [];
    list.push(...messages.map((m) => prefix + formMessage(ctx.locale, m, nameOf)));
    out.set(pointer, list);
  }
  return out;
}
