import { readdirSync, readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { createDocumentValidator } from "../node/library/validation.ts";
import { DOCUMENT_TYPES, readSchema, SCHEMA_BASE, SCHEMA_FILE_BY_TYPE, SUPERSEDED_SCHEMA_FILES } from "./catalogue.ts";
import { GENERATED_TYPES_URL, generateDocumentTypes } from "./generate-types.ts";

type Json = Record<string, unknown>;

const SCHEMA_FILES = readdirSync(new URL("./", import.meta.url))
  .filter((name) => name.endsWith(".schema.json"))
  .sort();
const VALID_FIXTURES = readdirSync(new URL("./fixtures/valid/", import.meta.url))
  .filter((name) => name.endsWith(".json"))
  .sort();
const INVALID_FIXTURES = readdirSync(new URL("./fixtures/invalid/", import.meta.url))
  .filter((name) => name.endsWith(".json"))
  .sort();

/** The type a schema file is for: its `type` property's `const`. */
function typeOfSchema(fileName: string): string {
  return ((readSchema(fileName)["properties"] as Json)["type"] as Json)["const"] as string;
}

// Fixtures are named by schema file: `case-study.*` for version 1, `case-study-v2.*` for version 2.
const TYPE_BY_PREFIX: Readonly<Record<string, string>> = Object.fromEntries(
  [...SUPERSEDED_SCHEMA_FILES, ...DOCUMENT_TYPES.map((type) => SCHEMA_FILE_BY_TYPE[type])].map((file) => [
    file.replace(".schema.json", ""),
    typeOfSchema(file),
  ]),
);

// Each invalid fixture is wrong in exactly one way: the validator must report that field, and only it.
const EXPECTED_ERROR_PATHS: Readonly<Record<string, string>> = {
  "case-study-v2.adapted-from-list.json": "/adaptedFrom",
  "case-study-v2.adapted-from-not-a-url.json": "/adaptedFrom",
  "case-study-v2.javascript-adapted-from.json": "/adaptedFrom",
  "case-study-v2.missing-body.json": "/body",
  "case-study-v2.unknown-property.json": "/adoptedFrom",
  "adoption.bad-income-level.json": "/profile/incomeLevel",
  "adoption.case-not-a-url.json": "/case",
  "adoption.gap-marked-met.json": "/assessment/gaps/0/status",
  "adoption.missing-case.json": "/case",
  "adoption.missing-status.json": "/status",
  "adoption.score-over-100.json": "/assessment/score",
  "adoption.status-date-not-a-full-date.json": "/statusDate",
  "adoption.unknown-property.json": "/adoptedBy",
  "adoption.unknown-status.json": "/status",
  "case-study.bad-contact-email.json": "/contact/email",
  "case-study.bad-language-tag.json": "/language",
  "case-study.bad-stakeholder-sector.json": "/stakeholders/0/sector",
  "case-study.bad-theme.json": "/themes/1",
  "case-study.bad-timeline-date.json": "/timeline/4/date",
  "case-study.bad-translation-key.json": "/translations/korean",
  "case-study.blank-title.json": "/title",
  "case-study.date-without-time-zone.json": "/published",
  "case-study.duplicate-tag.json": "/tags/5",
  "case-study.javascript-link.json": "/links/4/href",
  "case-study.lowercase-country.json": "/country",
  "case-study.lowercase-currency.json": "/costs/currency",
  "case-study.missing-body.json": "/body",
  "case-study.missing-title.json": "/title",
  "case-study.outcome-without-value.json": "/outcomes/1/value",
  "case-study.sdg-out-of-range.json": "/sdgs/2",
  "case-study.translation-without-summary.json": "/translations/es/summary",
  "case-study.unknown-link-rel.json": "/links/4/rel",
  "case-study.unknown-property.json": "/rating",
  "case-study.version-zero.json": "/version",
  "pathway.bad-duration-unit.json": "/phases/1/duration/unit",
  "pathway.bad-income-level.json": "/suitedFor/incomeLevels/1",
  "pathway.bad-prerequisite-kind.json": "/prerequisites/0/kind",
  "pathway.case-not-a-url.json": "/case",
  "pathway.challenge-without-mitigation.json": "/challenges/2/mitigation",
  "pathway.iso-duration-string.json": "/phases/0/duration",
  "pathway.missing-case.json": "/case",
  "pathway.negative-cost.json": "/costRange/min",
  "pathway.phase-with-empty-steps.json": "/phases/2/steps",
  "pathway.phase-without-steps.json": "/phases/0/steps",
  "pathway.prerequisite-without-level.json": "/prerequisites/3/level",
  "pathway.readiness-weight-too-high.json": "/readiness/0/weight",
  "pathway.unknown-property.json": "/year",
  "dataset.bad-checksum-algorithm.json": "/distributions/2/checksum/algorithm",
  "dataset.bad-checksum-value.json": "/distributions/0/checksum/value",
  "dataset.bad-media-type.json": "/distributions/0/mediaType",
  "dataset.bad-periodicity.json": "/accrualPeriodicity",
  "dataset.distribution-without-url.json": "/distributions/1",
  "dataset.empty-distributions.json": "/distributions",
  "dataset.ftp-download-url.json": "/distributions/0/downloadURL",
  "dataset.issued-as-date-time.json": "/issued",
  "dataset.missing-distributions.json": "/distributions",
  "dataset.missing-publisher.json": "/publisher",
  "dataset.negative-byte-size.json": "/distributions/2/byteSize",
  "dataset.publisher-without-name.json": "/publisher/name",
  "dataset.unknown-distribution-property.json": "/distributions/0/quality",
  "dataset.unknown-property.json": "/region",
};

function readJson(url: URL): Json {
  return JSON.parse(readFileSync(url, "utf8")) as Json;
}

function readFixture(kind: "valid" | "invalid", fileName: string): Json {
  return readJson(new URL(`./fixtures/${kind}/${fileName}`, import.meta.url));
}

function prefixOf(fixtureName: string): string {
  return fixtureName.slice(0, fixtureName.indexOf("."));
}

function schemaIdFor(fixtureName: string): string {
  return `${SCHEMA_BASE}${prefixOf(fixtureName)}.schema.json`;
}

function createStrictAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  ajvFormats.default(ajv);
  for (const fileName of SCHEMA_FILES) ajv.addSchema(readSchema(fileName));
  return ajv;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Lists the properties a schema declares that none of the instances use, following $refs
 * across files, into array items and into additionalProperties (translations).
 */
function unusedProperties(schema: unknown, instances: readonly unknown[], baseId: string, path: string): string[] {
  if (!isObject(schema) || instances.length === 0) return [];
  const unused: string[] = [];
  const ref = schema["$ref"];
  if (typeof ref === "string") {
    const [file = "", pointer = ""] = ref.split("#");
    const documentId = file === "" ? baseId : file;
    let target: unknown = readSchema(documentId.slice(SCHEMA_BASE.length));
    for (const token of pointer.split("/").slice(1)) target = isObject(target) ? target[token] : undefined;
    unused.push(...unusedProperties(target, instances, documentId, path));
  }
  const objects = instances.filter(isObject);
  for (const [key, propertySchema] of Object.entries(isObject(schema["properties"]) ? schema["properties"] : {})) {
    const values = objects.map((object) => object[key]).filter((value) => value !== undefined);
    if (values.length === 0) unused.push(`${path}/${key}`);
    else unused.push(...unusedProperties(propertySchema, values, baseId, `${path}/${key}`));
  }
  if (isObject(schema["additionalProperties"])) {
    const values = objects.flatMap((object) => Object.values(object));
    unused.push(...unusedProperties(schema["additionalProperties"], values, baseId, `${path}/*`));
  }
  if (isObject(schema["items"])) {
    const elements = instances.filter(Array.isArray).flat();
    unused.push(...unusedProperties(schema["items"], elements, baseId, `${path}/[]`));
  }
  return [...new Set(unused)];
}

describe("schemas", () => {
  it.each(SCHEMA_FILES)("%s compiles under Ajv2020 strict mode", (fileName) => {
    const ajv = createStrictAjv();
    expect(() => ajv.getSchema(`${SCHEMA_BASE}${fileName}`)).not.toThrow();
    expect(ajv.getSchema(`${SCHEMA_BASE}${fileName}`)).toBeTypeOf("function");
  });

  it("every $id is unique and names its own file", () => {
    const ids = SCHEMA_FILES.map((fileName) => readSchema(fileName)["$id"]);
    expect(ids).toEqual(SCHEMA_FILES.map((fileName) => `${SCHEMA_BASE}${fileName}`));
    expect(new Set(ids).size).toBe(SCHEMA_FILES.length);
  });

  it("every schema declares JSON Schema 2020-12", () => {
    for (const fileName of SCHEMA_FILES) {
      expect(readSchema(fileName)["$schema"], fileName).toBe("https://json-schema.org/draft/2020-12/schema");
    }
  });

  it("the six schemas are the ones the validator loads", () => {
    expect(SCHEMA_FILES).toEqual([
      "adoption.schema.json",
      "case-study-v2.schema.json",
      "case-study.schema.json",
      "common.schema.json",
      "dataset.schema.json",
      "pathway.schema.json",
    ]);
  });
});

describe("superseded schema versions", () => {
  it.each(SUPERSEDED_SCHEMA_FILES)(
    "%s is superseded by a -vN file for the same type, which the validator uses",
    (file) => {
      const type = typeOfSchema(file) as (typeof DOCUMENT_TYPES)[number];
      const current = SCHEMA_FILE_BY_TYPE[type];
      expect(current).toMatch(new RegExp(`^${file.replace(".schema.json", "")}-v\\d+\\.schema\\.json$`));
    },
  );

  it("case-study-v2 declares every property of case-study, with the same schema, plus adaptedFrom", () => {
    const v1 = readSchema("case-study.schema.json");
    const v2 = readSchema("case-study-v2.schema.json");
    const v1Props = v1["properties"] as Json;
    const v2Props = v2["properties"] as Json;
    expect(Object.keys(v2Props).sort()).toEqual([...Object.keys(v1Props), "adaptedFrom"].sort());
    const absolute = (value: unknown): string =>
      JSON.stringify(value).replaceAll('"#/$defs/', `"${SCHEMA_BASE}case-study.schema.json#/$defs/`);
    for (const key of Object.keys(v1Props)) expect(JSON.stringify(v2Props[key]), key).toBe(absolute(v1Props[key]));
    expect(v2["required"]).toEqual(v1["required"]);
  });

  it("every case-study (version 1) fixture is judged the same by case-study-v2", () => {
    const ajv = createStrictAjv();
    const v1 = ajv.getSchema(`${SCHEMA_BASE}case-study.schema.json`)!;
    const v2 = ajv.getSchema(`${SCHEMA_BASE}case-study-v2.schema.json`)!;
    const fixtures = [
      ...VALID_FIXTURES.filter((f) => f.startsWith("case-study.")).map((f) => readFixture("valid", f)),
      ...INVALID_FIXTURES.filter((f) => f.startsWith("case-study.")).map((f) => readFixture("invalid", f)),
    ];
    expect(fixtures.length).toBeGreaterThan(20);
    for (const document of fixtures) expect(v2(document), String(document["title"])).toBe(v1(document));
  });
});

describe("fixtures", () => {
  const validator = createDocumentValidator();
  const ajv = createStrictAjv();

  it("each type has a minimal and a rich valid fixture and at least four invalid ones", () => {
    for (const prefix of Object.keys(TYPE_BY_PREFIX)) {
      expect(VALID_FIXTURES, prefix).toEqual(expect.arrayContaining([`${prefix}.minimal.json`, `${prefix}.rich.json`]));
      expect(INVALID_FIXTURES.filter((name) => prefixOf(name) === prefix).length, prefix).toBeGreaterThanOrEqual(4);
    }
  });

  it.each(VALID_FIXTURES)("valid/%s validates", (fileName) => {
    const document = readFixture("valid", fileName);
    expect(document["type"]).toBe(TYPE_BY_PREFIX[prefixOf(fileName)]);
    const validate = ajv.getSchema(schemaIdFor(fileName));
    expect(validate?.(document), JSON.stringify(validate?.errors)).toBe(true);
    expect(validator.validate(document)).toEqual({ ok: true });
  });

  it.each(Object.keys(TYPE_BY_PREFIX))("valid/%s.minimal.json has only required properties", (prefix) => {
    const document = readFixture("valid", `${prefix}.minimal.json`);
    const schema = readSchema(`${prefix}.schema.json`);
    const core = readSchema("common.schema.json");
    const coreRequired = ((core["$defs"] as Json)["documentCore"] as Json)["required"] as string[];
    const required = new Set([...coreRequired, ...(schema["required"] as string[])]);
    expect(Object.keys(document).filter((key) => !required.has(key))).toEqual([]);
  });

  it.each(Object.keys(TYPE_BY_PREFIX))("valid/%s.rich.json uses every property its schema declares", (prefix) => {
    const document = readFixture("valid", `${prefix}.rich.json`);
    const schemaId = `${SCHEMA_BASE}${prefix}.schema.json`;
    expect(unusedProperties(readSchema(`${prefix}.schema.json`), [document], schemaId, "")).toEqual([]);
    expect(Object.keys(document["translations"] as Json)).toContain("ko");
  });

  it("every invalid fixture has an expected error path, and every expected path a fixture", () => {
    expect(Object.keys(EXPECTED_ERROR_PATHS).sort()).toEqual(INVALID_FIXTURES);
  });

  it.each(INVALID_FIXTURES)("invalid/%s fails at its expected path only", (fileName) => {
    const document = readFixture("invalid", fileName);
    const validate = ajv.getSchema(schemaIdFor(fileName));
    expect(validate?.(document)).toBe(false);
    const result = validator.validate(document);
    expect(result.ok).toBe(false);
    const details = result.ok ? [] : result.details;
    expect(details.length).toBeGreaterThan(0);
    expect(details.map((issue) => issue.path)).toEqual(details.map(() => EXPECTED_ERROR_PATHS[fileName]));
    // A fallback message would mean a pattern without a human-readable explanation.
    for (const issue of details) expect(issue.message).not.toMatch(/pattern|must match/);
  });
});

describe("generated types", () => {
  it("node/library/documents.generated.ts is up to date with the schemas (run npm run gen:types)", async () => {
    const committed = readFileSync(GENERATED_TYPES_URL, "utf8");
    expect(committed).toBe(await generateDocumentTypes());
  });

  it("declares the document types and the shared types", () => {
    const committed = readFileSync(GENERATED_TYPES_URL, "utf8");
    for (const name of [
      "CaseStudy",
      "Pathway",
      "Dataset",
      "Adoption",
      "AdopterProfile",
      "PublishedAssessment",
      "Link",
      "Translation",
      "Distribution",
      "Phase",
      "Duration",
    ]) {
      expect(committed).toContain(`export interface ${name} {`);
    }
    expect(committed).toContain("export type ItemDocument = CaseStudy | Pathway | Dataset | Adoption;");
    expect(committed).toContain("export type Theme =");
    expect(committed).toContain("export type DocumentType =");
  });
});
