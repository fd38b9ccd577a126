import { describe, expect, it } from "vitest";
import { DOCUMENT_TYPES } from "../../schemas/catalogue.ts";
import { fieldsForType, type FieldSpec } from "../forms/schema-fields.ts";
import { IntlMessageFormat } from "intl-messageformat";
import { fill, LOCALES, stringsFor, type Strings } from "../i18n.ts";
import { fieldKey, formHint, formLabel, formTextFor, optionLabel } from "../forms/form-text.ts";
import { formText as enForm } from "./form-en.ts";
import { messages as koMessages } from "./form-ko.ts";

/** The argument names of an ICU message, nested ones (inside plurals) included. */
function argumentsOf(message: string): string[] {
  const names = new Set<string>();
  const walk = (nodes: readonly unknown[]): void => {
    for (const node of nodes as { value?: unknown; options?: Record<string, { value: unknown[] }> }[]) {
      if (typeof node.value === "string" && "type" in node && node.type !== 0) names.add(node.value);
      for (const option of Object.values(node.options ?? {})) walk(option.value);
    }
  };
  walk(new IntlMessageFormat(message, "en", undefined, { ignoreTag: true }).getAst());
  return [...names].sort();
}

const keys = Object.keys(stringsFor("en")) as (keyof Strings)[];

/** Every field of every form: its type, its path key (`outcomes.metric`) and its spec. */
function formFields(): { type: string; key: string; field: FieldSpec }[] {
  const out: { type: string; key: string; field: FieldSpec }[] = [];
  const walk = (type: string, fields: readonly FieldSpec[], prefix: string): void => {
    for (const field of fields) {
      const key = fieldKey(`${prefix}/${field.name}`);
      out.push({ type, key, field });
      if (field.children) walk(type, field.children, `${prefix}/${field.name}`);
    }
  };
  for (const type of DOCUMENT_TYPES) walk(type, fieldsForType(type), "");
  return out;
}

describe("locales", () => {
  const all = formFields();

  it("every form field has a plain label in every interface language (never the humanized schema name)", () => {
    for (const locale of LOCALES)
      expect(
        all.filter(({ type, key }) => formLabel(locale, type, key) === undefined).map((f) => `${f.type}:${f.key}`),
        locale,
      ).toEqual([]);
    expect(all.map(({ type, key }) => formLabel("en", type, key))).not.toContain("Sdgs");
    expect(all.map(({ type, key }) => formLabel("en", type, key))).not.toContain("Url");
  });

  it("every fixed choice of every form has a name in every interface language", () => {
    for (const locale of LOCALES)
      expect(
        all.flatMap(({ key, field }) =>
          (field.options ?? []).filter((o) => optionLabel(locale, key, o) === undefined).map((o) => `${key}=${o}`),
        ),
        locale,
      ).toEqual([]);
  });

  it("form text names only fields that a form shows", () => {
    const keys = new Set(all.flatMap(({ type, key }) => [key, `${type}:${key}`, key.split(".").at(-1)!]));
    for (const table of [enForm.labels, enForm.hints, enForm.rowNames, enForm.options])
      expect(Object.keys(table).filter((k) => !keys.has(k))).toEqual([]);
  });

  it("every hint is in Korean on a Korean form, and no hint speaks the schema's language", () => {
    const hangul = /[가-힣]/;
    for (const { type, key } of all) {
      const en = formHint("en", type, key);
      if (!en) continue;
      expect(formHint("ko", type, key), key).toMatch(hangul);
      expect(en, key).not.toMatch(/dcat:|dct:|BCP 47|leading or trailing|characters|\bid\b/);
    }
    for (const text of [...Object.values(formTextFor("ko").strings), ...Object.values(koMessages)])
      expect(text).not.toMatch(/\}[”’"]?\s?(?:이|가|을|를|은|는|와|과|으로|로)(?![가-힣])/);
  });

  it("every interface string is a well-formed message with the same placeholders in every language", () => {
    const differ = keys.filter((key) => {
      const [first, ...rest] = LOCALES.map((locale) => argumentsOf(String(stringsFor(locale)[key])));
      return rest.some((names) => names.join() !== first!.join());
    });
    expect(differ).toEqual([]);
  });

  it("no Korean string puts a particle that depends on the last sound right after a placeholder", () => {
    // 이/가, 을/를, 은/는, 와/과, (으)로 change with the word before them; a city or a title in
    // Latin letters gives no way to choose, so a placeholder is followed by words that do not.
    const t = stringsFor("ko");
    const bad = keys.filter((key) =>
      /\}[”’"]?\s?(?:(이|가|을|를|은|는|와|과|으로|로)(?![가-힣])|\((이|가|을|를|은|는|와|과|으)\))/.test(
        String(t[key]),
      ),
    );
    expect(bad).toEqual([]);
  });

  it("counts agree with their noun in English, and Korean counts read the same for one and many", () => {
    const en = stringsFor("en");
    expect(fill(en.errorsSummary, { n: 1 })).toBe("1 field needs attention");
    expect(fill(en.errorsSummary, { n: 3 })).toBe("3 fields need attention");
    expect(fill(en.resultsFor, { n: 1, q: "voting" })).toBe("1 result for “voting”");
    expect(fill(en.cityItems, { n: 1, city: "Seoul" })).toBe("1 item from Seoul");
    expect(fill(en.nodeIntro, { city: "Seoul", peers: 1 })).toContain("what 1 peer city publishes.");
    const ko = stringsFor("ko");
    expect(fill(ko.errorsSummary, { n: 1 })).toBe("확인이 필요한 항목 1개");
    expect(fill(ko.resultsAll, { n: 2 })).toBe("자료 2건");
  });

  it("fill() inserts values as text, never as message syntax", () => {
    const en = stringsFor("en");
    expect(fill(en.resultsFor, { n: 2, q: "{n, plural, other {x}} <b>" })).toBe(
      "2 results for “{n, plural, other {x}} <b>”",
    );
  });
});
