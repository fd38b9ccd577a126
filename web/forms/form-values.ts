import type { FieldSpec } from "./schema-fields.ts";

/** A form's values by field name (JSON pointers such as `/outcomes/0/metric`), as submitted. */
export type FormValues = Readonly<Record<string, string | readonly string[]>>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The row indices a form holds under an array field, in order. */
export function rowIndices(values: FormValues, pointer: string): number[] {
  const prefix = `${pointer}/`;
  const seen = new Set<number>();
  for (const key of Object.keys(values)) {
    if (!key.startsWith(prefix)) continue;
    const m = /^(\d+)(?:\/|$)/.exec(key.slice(prefix.length));
    if (m) seen.add(Number(m[1]));
  }
  return [...seen].sort((a, b) => a - b);
}

function flattenField(field: FieldSpec, pointer: string, value: unknown, out: Record<string, string | string[]>): void {
  if (value === undefined || value === null) return;
  switch (field.kind) {
    case "object":
      if (isObject(value))
        for (const child of field.children ?? [])
          flattenField(child, `${pointer}/${child.name}`, value[child.name], out);
      return;
    case "rows":
      if (Array.isArray(value)) {
        value.forEach((row, i) => {
          for (const child of field.children ?? [])
            flattenField(child, `${pointer}/${i}/${child.name}`, isObject(row) ? row[child.name] : undefined, out);
          if (!(field.children ?? []).some((c) => `${pointer}/${i}/${c.name}` in out))
            out[`${pointer}/${i}/${field.children?.[0]?.name ?? ""}`] = "";
        });
      }
      return;
    case "checkboxes":
      if (Array.isArray(value)) out[pointer] = value.map(String);
      return;
    case "lines":
      if (Array.isArray(value)) out[pointer] = value.map(String).join("\n");
      return;
    case "numbers":
      if (Array.isArray(value)) out[pointer] = value.map(String).join(", ");
      return;
    default:
      out[pointer] = String(value);
  }
}

/** The parts of a translation the form edits, side by side with the original's. */
export const TRANSLATED_FIELDS = ["title", "summary", "body"] as const;

/** The most translations one form carries (the schema bounds each one; this bounds their number). */
const MAX_TRANSLATIONS = 20;

/** A document's values as a form holds them (for the edit form), its translations included. */
export function valuesFromDocument(fields: readonly FieldSpec[], document: Record<string, unknown>): FormValues {
  const out: Record<string, string | string[]> = {};
  for (const field of fields) flattenField(field, `/${field.name}`, document[field.name], out);
  const translations = document.translations;
  if (isObject(translations))
    for (const [lang, tr] of Object.entries(translations)) {
      if (!isObject(tr)) continue;
      for (const part of TRANSLATED_FIELDS)
        if (typeof tr[part] === "string") out[`/translations/${lang}/${part}`] = tr[part] as string;
    }
  return out;
}

/** The languages a form holds translations in (`/translations/<lang>/…`), in the order they appear. */
export function translationLanguages(values: FormValues): string[] {
  const seen = new Set<string>();
  for (const key of Object.keys(values)) {
    const m = /^\/translations\/([^/]{1,35})\/[a-z]+$/.exec(key);
    if (m && seen.size < MAX_TRANSLATIONS) seen.add(m[1]!);
  }
  return [...seen];
}

/** The translations a form describes; a translation left all empty is left out. */
function translationsFromValues(values: FormValues): Record<string, Record<string, string>> | undefined {
  const out: Record<string, Record<string, string>> = {};
  for (const lang of translationLanguages(values)) {
    const tr: Record<string, string> = {};
    for (const part of TRANSLATED_FIELDS) {
      const raw = text(values, `/translations/${lang}/${part}`).trim();
      if (raw !== "") tr[part] = raw;
    }
    if (Object.keys(tr).length) out[lang] = tr;
  }
  return Object.keys(out).length ? out : undefined;
}

function text(values: FormValues, pointer: string): string {
  const v = values[pointer];
  return (Array.isArray(v) ? (v[0] ?? "") : ((v as string | undefined) ?? "")).replace(/\r\n/g, "\n");
}

function numberOrKeep(raw: string): number | string {
  const n = Number(raw);
  return raw !== "" && Number.isFinite(n) ? n : raw;
}

function parseField(field: FieldSpec, pointer: string, values: FormValues): unknown {
  switch (field.kind) {
    case "object": {
      const obj: Record<string, unknown> = {};
      for (const child of field.children ?? []) {
        const v = parseField(child, `${pointer}/${child.name}`, values);
        if (v !== undefined) obj[child.name] = v;
      }
      return Object.keys(obj).length ? obj : undefined;
    }
    case "rows": {
      const rows: Record<string, unknown>[] = [];
      for (const i of rowIndices(values, pointer)) {
        const row = parseField({ ...field, kind: "object" }, `${pointer}/${i}`, values) as
          | Record<string, unknown>
          | undefined;
        if (row) rows.push(row);
      }
      return rows.length ? rows : undefined;
    }
    case "checkboxes": {
      const v = values[pointer];
      const list = (Array.isArray(v) ? v : typeof v === "string" && v !== "" ? [v] : []) as string[];
      if (!list.length) return undefined;
      return field.numeric ? list.map(numberOrKeep) : list;
    }
    case "lines": {
      const list = text(values, pointer)
        .split("\n")
        .map((s) => s.trim())
        .filter(Boolean);
      return list.length ? list : undefined;
    }
    case "numbers": {
      const list = text(values, pointer)
        .split(/[,\s]+/)
        .filter(Boolean)
        .map(numberOrKeep);
      return list.length ? list : undefined;
    }
    case "number":
    case "integer":
    case "numberOrText": {
      const raw = text(values, pointer).trim();
      return raw === "" ? undefined : numberOrKeep(raw);
    }
    case "markdown":
    case "textarea": {
      const raw = text(values, pointer);
      return raw.trim() === "" ? undefined : raw.trim();
    }
    default: {
      const raw = text(values, pointer).trim();
      if (field.boolean && (raw === "true" || raw === "false")) return raw === "true";
      return raw === "" ? undefined : raw;
    }
  }
}

/**
 * The document a form describes, with its translations: empty fields and all-empty rows left
 * out, numbers parsed where they parse (anything else is kept as typed, so validation can say what is wrong).
 */
export function documentFromValues(
  type: string,
  fields: readonly FieldSpec[],
  values: FormValues,
): Record<string, unknown> {
  const doc: Record<string, unknown> = { type };
  for (const field of fields) {
    const v = parseField(field, `/${field.name}`, values);
    if (v !== undefined) doc[field.name] = v;
  }
  const translations = translationsFromValues(values);
  if (translations) doc.translations = translations;
  return doc;
}

/**
 * Puts the ticked choices of an edited document (themes, …) in the order the previous version
 * had them, new ones after: a browser sends checkboxes in the form's order, and re-sorting a
 * list the official did not touch would record it as changed.
 */
export function keepChoiceOrder(
  fields: readonly FieldSpec[],
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): void {
  for (const field of fields) {
    const was = before[field.name];
    const now = after[field.name];
    if (field.kind !== "checkboxes" || !Array.isArray(was) || !Array.isArray(now)) continue;
    const rank = (v: unknown) => {
      const i = was.indexOf(v);
      return i === -1 ? was.length : i;
    };
    after[field.name] = [...now].sort((a, b) => rank(a) - rank(b));
  }
}
