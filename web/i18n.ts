import { IntlMessageFormat } from "intl-messageformat";
import * as en from "./locales/en.ts";
import * as ko from "./locales/ko.ts";
import type { Strings } from "./locales/en.ts";

// Templates name the strings' type from here, with the lookups.
export type { Strings };

/** Interface languages. */
export type Locale = "en" | "ko";

/** Every interface language, in the order the switch shows them. */
export const LOCALES: readonly Locale[] = ["en", "ko"];

interface LocaleTables {
  readonly strings: Strings;
}

const TABLES: Readonly<Record<Locale, LocaleTables>> = { en, ko };

/** The interface strings for a locale. */
export function stringsFor(locale: Locale): Strings {
  return TABLES[locale].strings;
}

// Which language each interface string is written in, so `fill` applies that language's
// plural rules without every caller passing the locale along with the string.
const LOCALE_OF = new Map<string, Locale>();
for (const locale of [...LOCALES].reverse()) {
  for (const text of Object.values(TABLES[locale].strings)) if (typeof text === "string") LOCALE_OF.set(text, locale);
}
const compiled = new Map<string, IntlMessageFormat>();

/**
 * Formats an interface string written in ICU MessageFormat (intl-messageformat): `{name}`
 * placeholders, and plurals and selects in the string's own language, e.g.
 * `{n, plural, one {# field needs} other {# fields need}} attention`. Values are inserted as
 * text, never parsed. A placeholder without a value is a bug, and throws. A string outside the
 * tables is formatted as English.
 */
export function fill(template: string, values: Record<string, string | number>): string {
  let format = compiled.get(template);
  if (format === undefined) {
    const locale = LOCALE_OF.get(template);
    format = new IntlMessageFormat(template, locale ?? "en", undefined, { ignoreTag: true });
    // Only the tables' strings are kept: the cache stays as small as they are.
    if (locale !== undefined) compiled.set(template, format);
  }
  return String(format.format(values));
}

/** Whether a string names an interface language. */
export function isLocale(value: unknown): value is Locale {
  return value === "en" || value === "ko";
}

/** The name of a language in the reader's interface language (for content languages). */
export function languageName(tag: string, locale: Locale): string {
  try {
    return new Intl.DisplayNames([locale], { type: "language" }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/** Picks the interface language from an `Accept-Language` header (Korean if preferred, else English). */
export function localeFromHeader(header: string | undefined): Locale {
  if (!header) return "en";
  const ranked = header
    .split(",")
    .map((part) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      return { tag: (tag ?? "").toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag, q } of ranked) {
    if (q <= 0) continue;
    if (tag.startsWith("ko")) return "ko";
    if (tag.startsWith("en")) return "en";
  }
  return "en";
}
