import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fieldsForType, humanize } from "./schema-fields.ts";
import {
  documentFromValues,
  keepChoiceOrder,
  rowIndices,
  translationLanguages,
  valuesFromDocument,
} from "./form-values.ts";

const NOT_IN_FORMS = ["id", "attributedTo", "published", "updated", "version", "city", "country"];

function fixture(name: string): Record<string, unknown> {
  const doc = JSON.parse(
    readFileSync(new URL(`../../schemas/fixtures/valid/${name}.json`, import.meta.url), "utf8"),
  ) as Record<string, unknown>;
  for (const f of NOT_IN_FORMS) delete doc[f];
  return doc;
}

/** The case study document a form with `values` makes. */
const caseFromValues = (values: Record<string, string | string[]>) =>
  documentFromValues("CaseStudy", fieldsForType("CaseStudy"), values);

describe("schema forms", () => {
  it("fieldsForType() derives fields from the schemas, without the fields the node manages", () => {
    const fields = fieldsForType("Pathway");
    const names = fields.map((f) => f.name);
    expect(names).toContain("case");
    expect(names).not.toContain("id");
    expect(names.at(-1)).toBe("links");
    const phases = fields.find((f) => f.name === "phases")!;
    expect(phases.kind).toBe("rows");
    expect(phases.children!.find((c) => c.name === "steps")!.minItems).toBe(1);
    expect(fields.find((f) => f.name === "body")!.kind).toBe("markdown");
    expect(fields.find((f) => f.name === "themes")!.kind).toBe("checkboxes");
  });

  it.each(["case-study.rich", "pathway.rich", "dataset.rich", "case-study.minimal"])(
    "a document survives the round trip through form values (%s)",
    (name) => {
      const doc = fixture(name);
      const fields = fieldsForType(doc.type as string);
      const values = valuesFromDocument(fields, doc);
      expect(documentFromValues(doc.type as string, fields, values)).toEqual(doc);
    },
  );

  it("documentFromValues() drops empty fields and rows, parses numbers, and keeps what does not parse", () => {
    const doc = caseFromValues({
      "/title": "  A title ",
      "/summary": "",
      "/startYear": "twenty",
      "/endYear": "2020",
      "/outcomes/0/metric": "Users",
      "/outcomes/0/value": "1200",
      "/outcomes/1/metric": "",
      "/outcomes/1/value": "",
      "/tags": "a\n\n b \n",
      "/sdgs": ["11", "16"],
      "/themes": ["open-data", "e-voting"],
    });
    expect(doc).toEqual({
      type: "CaseStudy",
      title: "A title",
      startYear: "twenty",
      endYear: 2020,
      outcomes: [{ metric: "Users", value: 1200 }],
      tags: ["a", "b"],
      sdgs: [11, 16],
      themes: ["open-data", "e-voting"],
    });
  });

  it("a seed's Korean title and summary survive the round trip through the edit form", () => {
    const seed = JSON.parse(
      readFileSync(new URL("../../seeds/seoul/case-mvoting.json", import.meta.url), "utf8"),
    ) as Record<string, unknown>;
    const fields = fieldsForType("CaseStudy");
    const values = valuesFromDocument(fields, seed);
    const ko = (seed.translations as Record<string, { title: string; summary: string }>).ko!;
    expect(values["/translations/ko/title"]).toBe(ko.title);
    expect(values["/translations/ko/summary"]).toBe(ko.summary);
    expect(translationLanguages(values)).toEqual(["ko"]);
    expect(documentFromValues("CaseStudy", fields, values).translations).toEqual(seed.translations);
  });

  it("documentFromValues() leaves out a translation left empty, and keeps one half filled for validation to name", () => {
    const doc = caseFromValues({
      "/title": "Open budget",
      "/translations/ko/title": "",
      "/translations/ko/summary": " ",
      "/translations/ja/title": "予算の公開",
      "/translations/ja/summary": "",
    });
    expect(doc.translations).toEqual({ ja: { title: "予算の公開" } });
  });

  it("SDGs are choices by number: ticked boxes become integers, in the document as in the schema", () => {
    const fields = fieldsForType("CaseStudy");
    const sdgs = fields.find((f) => f.name === "sdgs")!;
    expect(sdgs.kind).toBe("checkboxes");
    expect(sdgs.options).toEqual(Array.from({ length: 17 }, (_, i) => String(i + 1)));
    expect(documentFromValues("CaseStudy", fields, { "/sdgs": "11" }).sdgs).toEqual([11]);
    expect(valuesFromDocument(fields, { sdgs: [9, 11] })["/sdgs"]).toEqual(["9", "11"]);
    expect(fields.find((f) => f.name === "language")!.kind).toBe("language");
  });

  it("rowIndices() finds the rows a form holds under an array field", () => {
    expect(rowIndices({ "/a/0/x": "", "/a/2/y": "", "/ab/1/x": "", "/a": "" }, "/a")).toEqual([0, 2]);
  });

  it("humanize() turns property names into labels", () => {
    expect(humanize("accrualPeriodicity")).toBe("Accrual periodicity");
    expect(humanize("downloadURL")).toBe("Download URL");
  });

  it("keepChoiceOrder() keeps ticked choices in the previous version's order, new ones last", () => {
    const after: Record<string, unknown> = {
      themes: ["citizen-participation", "e-voting", "open-data"],
      tags: ["b", "a"],
    };
    keepChoiceOrder(
      fieldsForType("CaseStudy"),
      { themes: ["e-voting", "citizen-participation"], tags: ["a", "b"] },
      after,
    );
    expect(after).toEqual({ themes: ["e-voting", "citizen-participation", "open-data"], tags: ["b", "a"] });
  });
});
