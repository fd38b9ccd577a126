import { formText as en, type FormText } from "../locales/form-en.ts";
import { formText as ko } from "../locales/form-ko.ts";
import type { Locale } from "../i18n.ts";

const TABLES: Readonly<Record<Locale, FormText>> = { en, ko };

/** The forms' text in a locale. */
export function formTextFor(locale: Locale): FormText {
  return TABLES[locale];
}

/**
 * The key of a field's text: its JSON pointer without row indices, as a dotted path
 * (`/phases/2/steps/0/title` → `phases.steps.title`).
 */
export function fieldKey(pointer: string): string {
  return pointer
    .split("/")
    .filter((part) => part !== "" && !/^\d+$/.test(part) && !/^XROW\dX$/.test(part))
    .join(".");
}

function lookup(table: Readonly<Record<string, string>>, type: string, key: string): string | undefined {
  for (const k of [`${type}:${key}`, key]) if (Object.hasOwn(table, k)) return table[k];
  return undefined;
}

/** A field's label: for its type, else for its path, else for its last name. */
export function formLabel(locale: Locale, type: string, key: string): string | undefined {
  const labels: Readonly<Record<string, string>> = TABLES[locale].labels;
  return lookup(labels, type, key) ?? lookup(labels, type, key.split(".").at(-1) ?? key);
}

/**
 * A top-level field's name where a version's changes are listed (history, comparisons): its
 * form label, "Translations" for the translations the form shows beside each field, else its name.
 */
export function changedFieldLabel(locale: Locale, type: string, field: string): string {
  if (field === "translations") return TABLES[locale].strings.translations;
  return formLabel(locale, type, field) ?? field.slice(field.lastIndexOf(".") + 1);
}

/** A field's hint (with an example), if it has one. */
export function formHint(locale: Locale, type: string, key: string): string | undefined {
  return lookup(TABLES[locale].hints, type, key);
}

/** What one row of a list field is called ("Result"), if the list has rows. */
export function formRowName(locale: Locale, key: string): string | undefined {
  const names: Readonly<Record<string, string>> = TABLES[locale].rowNames;
  return Object.hasOwn(names, key) ? names[key] : undefined;
}

/** The name of one fixed choice of a field (a theme, an SDG, a status…), if it has one. */
export function optionLabel(locale: Locale, key: string, value: string): string | undefined {
  const options: Readonly<Record<string, Readonly<Record<string, string>>>> = TABLES[locale].options;
  const names = Object.hasOwn(options, key) ? options[key] : undefined;
  return names && Object.hasOwn(names, value) ? names[value] : undefined;
}

/** A section's heading (`CaseStudy:about`), or the heading of the catch-all section. */
export function sectionTitle(locale: Locale, type: string, section: string): string {
  const sections: Readonly<Record<string, string>> = TABLES[locale].sections;
  return sections[`${type}:${section}`] ?? TABLES[locale].sections.more;
}
