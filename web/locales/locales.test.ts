import { describe, expect, it } from "vitest";
import { DOCUMENT_TYPES } from "../../schemas/catalogue.ts";
import { fieldsForType, type FieldSpec } from "../forms/schema-fields.ts";
import { fieldLabel, LOCALES } from "../i18n.ts";
import { fieldLabels } from "./en.ts";

function fieldNames(fields: readonly FieldSpec[], into = new Set<string>()): Set<string> {
  for (const field of fields) {
    into.add(field.name);
    if (field.children) fieldNames(field.children, into);
  }
  return into;
}

describe("locales", () => {
  const names = new Set(DOCUMENT_TYPES.flatMap((type) => [...fieldNames(fieldsForType(type))]));

  it("every form field has a label in every interface language", () => {
    for (const locale of LOCALES)
      expect(
        [...names].filter((name) => fieldLabel(locale, name) === undefined),
        locale,
      ).toEqual([]);
  });

  it("labels only properties that a form shows", () => {
    expect(Object.keys(fieldLabels).filter((name) => !names.has(name))).toEqual([]);
  });
});
