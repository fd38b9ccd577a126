import { fill, type Locale } from "../i18n.ts";
import { messages as koMessages } from "../locales/form-ko.ts";

/** The library's validation messages (node/library/validation.ts) that a Korean form says in Korean. */
const PATTERNS: ReadonlyArray<readonly [RegExp, keyof typeof koMessages]> = [
  [/^is required$/, "required"],
  [/^is not allowed$/, "notAllowed"],
  [/^must not be (?:blank|empty)$/, "notBlank"],
  [/^must be one non-empty line without leading or trailing spaces$/, "oneLine"],
  [/^must be an absolute http or https URL$/, "httpUrl"],
  [/^must be a valid URI$/, "httpUrl"],
  [/^must be a date written YYYY, YYYY-MM or YYYY-MM-DD$/, "partialDate"],
  [/^must be a date written YYYY-MM-DD$/, "date"],
  [/^must be a valid email address$/, "email"],
  [/^must be an ISO 4217 currency code/, "currency"],
  [/^must be an SPDX license identifier/, "license"],
  [/^must be a media type/, "mediaType"],
  [/^must be a lowercase hexadecimal digest/, "checksum"],
  [/^must be a BCP 47 language tag/, "language"],
  [/^must not be before the start year$/, "endYear"],
  [/^must not be before the start date$/, "endDate"],
  [/^must be an integer$/, "integer"],
  [/^must be a number$/, "number"],
  [/^must be at least (?<n>-?[\d.]+)$/, "atLeast"],
  [/^must be at most (?<n>-?[\d.]+)$/, "atMost"],
  [/^must be at most (?<n>\d+) characters? long$/, "maxLength"],
  [/^must have at least (?<n>\d+) items?$/, "minItems"],
  [/^is a duplicate of item (?<i>\d+)$/, "duplicate"],
  [/^must have at least one of: (?<names>.+)$/, "atLeastOneOf"],
  [/^must be one of: (?<names>.+)$/, "oneOf"],
];

/**
 * A validation message in the form's language: the library writes English; a Korean form says
 * it in Korean, `nameOf` turning a property or choice named in it (`downloadURL`) into what the
 * form calls it. A message the table does not know is shown as the library wrote it.
 */
export function formMessage(locale: Locale, message: string, nameOf: (name: string) => string): string {
  if (locale !== "ko") return message;
  for (const [pattern, key] of PATTERNS) {
    const m = pattern.exec(message);
    if (!m) continue;
    const g = m.groups ?? {};
    return fill(koMessages[key], {
      n: g.n ?? "",
      i: g.i === undefined ? "" : Number(g.i) + 1,
      names: (g.names ?? "")
        .split(", ")
        .map((n) => nameOf(n))
        .join(", "),
    });
  }
  return message;
}
