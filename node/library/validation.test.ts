import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DOCUMENT_TYPES } from "../../schemas/catalogue.ts";
import { createDocumentValidator } from "./validation.ts";
import type { ValidationIssue, ValidationResult } from "./validation.ts";

type Json = Record<string, unknown>;

function fixture(name: string): Json {
  return JSON.parse(
    readFileSync(new URL(`../../schemas/fixtures/valid/${name}.json`, import.meta.url), "utf8"),
  ) as Json;
}

function detailsOf(result: ValidationResult): readonly ValidationIssue[] {
  if (result.ok) throw new TypeError("expected the document to be invalid");
  return result.details;
}

const validator = createDocumentValidator();

describe("createDocumentValidator()", () => {
  it("validate() accepts a minimal document of each type", () => {
    for (const name of ["case-study.minimal", "pathway.minimal", "dataset.minimal"]) {
      expect(validator.validate(fixture(name)), name).toEqual({ ok: true });
    }
  });

  it("validate() reports a missing required property at its own path", () => {
    const { title: _title, ...document } = fixture("case-study.minimal");
    expect(detailsOf(validator.validate(document))).toEqual([{ path: "/title", message: "is required" }]);
  });

  it("validate() reports every violation, not just the first", () => {
    const { title: _title, ...rest } = fixture("case-study.minimal");
    const document = { ...rest, themes: ["open-data", "blockchain"] };
    const details = detailsOf(validator.validate(document));
    expect(details.map((issue) => issue.path)).toEqual(["/title", "/themes/1"]);
    expect(details[1]?.message).toMatch(/^must be one of: citizen-participation, service-delivery, open-data, /);
  });

  it("validate() reports an unknown top-level property as not allowed", () => {
    const document = { ...fixture("pathway.minimal"), rating: 5, "a/b~c": true };
    expect(detailsOf(validator.validate(document))).toEqual([
      { path: "/rating", message: "is not allowed" },
      { path: "/a~1b~0c", message: "is not allowed" },
    ]);
  });

  it("validate() reports an unknown nested property at its own path", () => {
    const document = fixture("dataset.rich");
    (document["publisher"] as Json)["phone"] = "120";
    expect(detailsOf(validator.validate(document))).toEqual([{ path: "/publisher/phone", message: "is not allowed" }]);
  });

  it("validate() applies each type's own required properties", () => {
    const { body: _caseBody, ...caseStudy } = fixture("case-study.minimal");
    const { case: _case, ...pathway } = fixture("pathway.minimal");
    const { distributions: _distributions, ...dataset } = fixture("dataset.minimal");
    expect(detailsOf(validator.validate(caseStudy))).toEqual([{ path: "/body", message: "is required" }]);
    expect(detailsOf(validator.validate(pathway))).toEqual([{ path: "/case", message: "is required" }]);
    expect(detailsOf(validator.validate(dataset))).toEqual([{ path: "/distributions", message: "is required" }]);
    expect(fixture("dataset.minimal")["body"]).toBeUndefined();
  });

  it("validate() rejects a non-object with one issue at the root", () => {
    for (const value of [null, undefined, 42, "CaseStudy", [], [fixture("case-study.minimal")]]) {
      expect(validator.validate(value), JSON.stringify(value)).toEqual({
        ok: false,
        details: [{ path: "", message: "must be a JSON object" }],
      });
    }
  });

  it("validate() reports a missing type once, listing the allowed types", () => {
    const { type: _type, ...document } = fixture("case-study.minimal");
    expect(detailsOf(validator.validate(document))).toEqual([
      { path: "/type", message: "is required; must be one of: CaseStudy, Pathway, Dataset, Adoption" },
    ]);
    expect(detailsOf(validator.validate({}))).toHaveLength(1);
  });

  it("validate() reports an unknown type once, without validating the rest", () => {
    for (const type of ["Article", "caseStudy", "__proto__", "toString", 7, null]) {
      expect(detailsOf(validator.validate({ type, title: "" })), String(type)).toEqual([
        { path: "/type", message: "must be one of: CaseStudy, Pathway, Dataset, Adoption" },
      ]);
    }
  });

  it("validate() explains pattern failures in plain English", () => {
    const document = { ...fixture("case-study.minimal"), language: "English", country: "kr", title: " Padded " };
    expect(detailsOf(validator.validate(document))).toEqual([
      { path: "/title", message: "must be one non-empty line without leading or trailing spaces" },
      { path: "/language", message: "must be a BCP 47 language tag such as en, ko, pt-BR or zh-Hant-TW" },
      { path: "/country", message: "must be an ISO 3166-1 alpha-2 country code in capitals, such as KR" },
    ]);
  });

  it("validate() has a plain-English message for every pattern in the schemas", () => {
    const caseStudy = fixture("case-study.rich");
    Object.assign(caseStudy, { city: "Seoul ", tags: [" CIO"], license: "CC BY", summary: " ", lessons: ["\n"] });
    Object.assign((caseStudy["outcomes"] as Json[])[0] ?? {}, { unit: "" });
    Object.assign((caseStudy["timeline"] as Json[])[0] ?? {}, { date: "90" });
    Object.assign(caseStudy["costs"] as Json, { currency: "won" });
    Object.assign(caseStudy, { language: "Korean", country: "Korea", id: "urn:x" });
    const dataset = fixture("dataset.rich");
    const distribution = (dataset["distributions"] as Json[])[0] ?? {};
    Object.assign(distribution, { mediaType: "CSV", checksum: { algorithm: "md5", value: "XYZ" } });
    const details = [...detailsOf(validator.validate(caseStudy)), ...detailsOf(validator.validate(dataset))];
    expect(details.map((issue) => issue.path).sort()).toEqual(
      [
        "/id",
        "/summary",
        "/language",
        "/city",
        "/country",
        "/tags/0",
        "/license",
        "/outcomes/0/unit",
        "/timeline/0/date",
        "/costs/currency",
        "/lessons/0",
        "/distributions/0/mediaType",
        "/distributions/0/checksum/value",
      ].sort(),
    );
    for (const issue of details) expect(issue.message, issue.path).not.toMatch(/pattern/);
  });

  it("validate() accepts canonical BCP 47 tags and rejects other spellings", () => {
    for (const language of ["en", "ko", "pt-BR", "es-419", "zh-Hant-TW", "de-CH-1996"]) {
      expect(validator.validate({ ...fixture("case-study.minimal"), language }), language).toEqual({ ok: true });
    }
    for (const language of ["EN", "en_US", "pt-br", "korean", "", "e"]) {
      expect(
        detailsOf(validator.validate({ ...fixture("case-study.minimal"), language })).map((i) => i.path),
        language,
      ).toEqual(["/language"]);
    }
  });

  it("validate() accepts only http(s) URLs, with one issue per bad URL", () => {
    const document = {
      ...fixture("case-study.minimal"),
      links: [
        { rel: "source", href: "javascript:alert(1)" },
        { rel: "source", href: "not a url" },
        { rel: "source", href: "https://www.itu.int/" },
      ],
    };
    expect(detailsOf(validator.validate(document))).toEqual([
      { path: "/links/0/href", message: "must be an absolute http or https URL" },
      { path: "/links/1/href", message: "must be an absolute http or https URL" },
    ]);
  });

  it("validate() reports a distribution with neither URL once, at the distribution", () => {
    const document = {
      ...fixture("dataset.minimal"),
      distributions: [{ format: "CSV" }, { downloadURL: "https://example.org/a.csv" }],
    };
    expect(detailsOf(validator.validate(document))).toEqual([
      { path: "/distributions/0", message: "must have at least one of: accessURL, downloadURL" },
    ]);
  });

  it("validate() points a duplicate at the later copy", () => {
    const document = { ...fixture("case-study.minimal"), themes: ["open-data", "health", "open-data"] };
    expect(detailsOf(validator.validate(document))).toEqual([
      { path: "/themes/2", message: "is a duplicate of item 0" },
    ]);
  });

  it("validate() points a bad translation language at its key", () => {
    const document = {
      ...fixture("case-study.minimal"),
      translations: { Korean: { title: "응답소", summary: "민원 통합 창구" } },
    };
    expect(detailsOf(validator.validate(document))).toEqual([
      {
        path: "/translations/Korean",
        message: "key must be a BCP 47 language tag such as en, ko, pt-BR or zh-Hant-TW",
      },
    ]);
  });

  it("validate() names the expected JSON type", () => {
    const document = fixture("case-study.rich");
    document["version"] = "3";
    (document["outcomes"] as Json[])[0] = { metric: "Rank", value: true };
    document["tags"] = "CIO";
    expect(detailsOf(validator.validate(document))).toEqual([
      { path: "/version", message: "must be an integer" },
      { path: "/tags", message: "must be an array" },
      { path: "/outcomes/0/value", message: "must be a number or a string" },
    ]);
  });

  it("validate() checks formats and limits", () => {
    const document = {
      ...fixture("pathway.rich"),
      updated: "yesterday",
      summary: "x".repeat(2001),
      readiness: [{ question: "Ready?", weight: -1 }],
      phases: [{ name: "Start", steps: [] }],
    };
    expect(detailsOf(validator.validate(document))).toEqual([
      { path: "/updated", message: "must be a date-time with a time zone, such as 2024-05-01T09:00:00Z" },
      { path: "/summary", message: "must be at most 2000 characters long" },
      { path: "/phases/0/steps", message: "must have at least 1 item" },
      { path: "/readiness/0/weight", message: "must be at least 0" },
    ]);
  });

  it("validate() keeps no state between calls", () => {
    const valid = fixture("dataset.rich");
    const invalid = { ...valid, accrualPeriodicity: "hourly" };
    expect(validator.validate(invalid).ok).toBe(false);
    expect(validator.validate(valid)).toEqual({ ok: true });
    expect(detailsOf(validator.validate(invalid))).toEqual([
      {
        path: "/accrualPeriodicity",
        message: "must be one of: continuous, daily, weekly, monthly, quarterly, annual, irregular, never",
      },
    ]);
  });

  it("DOCUMENT_TYPES lists exactly the types in common.schema.json", () => {
    const common = JSON.parse(readFileSync(new URL("../../schemas/common.schema.json", import.meta.url), "utf8")) as {
      $defs: { documentType: { enum: string[] } };
    };
    expect([...DOCUMENT_TYPES]).toEqual(common.$defs.documentType.enum);
  });
  it("validate() refuses a case study that ends before it starts, at the end year", () => {
    const document = { ...fixture("case-study.minimal"), startYear: 2019, endYear: 2017 };
    expect(detailsOf(validator.validate(document))).toEqual([
      { path: "/endYear", message: "must not be before the start year" },
    ]);
    expect(validator.validate({ ...document, endYear: 2019 })).toEqual({ ok: true });
  });

  it("validate() refuses a dataset whose coverage ends before it starts, alongside schema errors", () => {
    const { title: _title, ...rest } = fixture("dataset.minimal");
    const document = { ...rest, temporal: { start: "2020-03-01", end: "2020-02-28" } };
    expect(detailsOf(validator.validate(document))).toEqual([
      { path: "/title", message: "is required" },
      { path: "/temporal/end", message: "must not be before the start date" },
    ]);
  });
});
