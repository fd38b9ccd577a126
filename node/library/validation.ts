import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import {
  DOCUMENT_TYPES,
  readSchema,
  SCHEMA_FILE_BY_TYPE,
  SCHEMA_FILES,
  schemaId,
  type Schema,
} from "../../schemas/catalogue.ts";

/** One schema violation, pointing at the offending field. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

/** The outcome of validating one document: ok, or every violation found. */
export type ValidationResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly details: readonly ValidationIssue[] };

/** Validates item documents against schemas/; compiled once. */
export interface DocumentValidator {
  validate(doc: unknown): ValidationResult;
}

const HTTP_URL_MESSAGE = "must be an absolute http or https URL";
const ONE_LINE_MESSAGE = "must be one non-empty line without leading or trailing spaces";
const NOT_BLANK_MESSAGE = "must not be blank";

// Ajv only knows a failed pattern by its regex; these say what the pattern means. Located
// by where the pattern sits in the schemas, so the regexes are written once, in the schemas.
const PATTERN_MESSAGES: ReadonlyArray<readonly [file: string, pointer: string, message: string]> = [
  ["common.schema.json", "/$defs/httpUrl", HTTP_URL_MESSAGE],
  ["common.schema.json", "/$defs/partialDate", "must be a date written YYYY, YYYY-MM or YYYY-MM-DD"],
  ["common.schema.json", "/$defs/languageTag", "must be a BCP 47 language tag such as en, ko, pt-BR or zh-Hant-TW"],
  ["common.schema.json", "/$defs/countryCode", "must be an ISO 3166-1 alpha-2 country code in capitals, such as KR"],
  ["common.schema.json", "/$defs/currencyCode", "must be an ISO 4217 currency code such as KRW or USD"],
  ["common.schema.json", "/$defs/title", ONE_LINE_MESSAGE],
  ["common.schema.json", "/$defs/cityName", ONE_LINE_MESSAGE],
  ["common.schema.json", "/$defs/label", ONE_LINE_MESSAGE],
  ["common.schema.json", "/$defs/tag", ONE_LINE_MESSAGE],
  ["common.schema.json", "/$defs/summary", NOT_BLANK_MESSAGE],
  ["common.schema.json", "/$defs/text", NOT_BLANK_MESSAGE],
  ["common.schema.json", "/$defs/license", "must be an SPDX license identifier such as CC-BY-4.0, or an http(s) URL"],
  ["dataset.schema.json", "/$defs/distribution/properties/mediaType", "must be a media type such as text/csv"],
  [
    "dataset.schema.json",
    "/$defs/checksum/properties/value",
    "must be a lowercase hexadecimal digest of 32, 64 or 128 digits",
  ],
];

const FORMAT_MESSAGES: Readonly<Record<string, string>> = {
  uri: "must be a valid URI",
  "date-time": "must be a date-time with a time zone, such as 2024-05-01T09:00:00Z",
  date: "must be a date written YYYY-MM-DD",
  email: "must be a valid email address",
};

const OK: ValidationResult = Object.freeze({ ok: true });

/**
 * Rules across two fields, which JSON Schema cannot say: the end of a period must not come
 * before its start. Years are integers and dates are YYYY-MM-DD, so both compare in order.
 */
const PERIODS: ReadonlyArray<{
  readonly type: string;
  readonly start: string;
  readonly end: string;
  readonly message: string;
}> = [
  { type: "CaseStudy", start: "/startYear", end: "/endYear", message: "must not be before the start year" },
  { type: "Dataset", start: "/temporal/start", end: "/temporal/end", message: "must not be before the start date" },
];

function periodIssues(doc: Record<string, unknown>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const rule of PERIODS) {
    if (doc["type"] !== rule.type) continue;
    const start = resolvePointer(doc, rule.start);
    const end = resolvePointer(doc, rule.end);
    const comparable =
      (typeof start === "number" && typeof end === "number") || (typeof start === "string" && typeof end === "string");
    if (comparable && end < start) issues.push({ path: rule.end, message: rule.message });
  }
  return issues;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function resolvePointer(value: unknown, pointer: string): unknown {
  let node: unknown = value;
  for (const token of pointer.split("/").slice(1)) {
    node = isObject(node) ? node[token.replaceAll("~1", "/").replaceAll("~0", "~")] : undefined;
  }
  return node;
}

function escapePointerToken(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

function child(path: string, token: string | number): string {
  return `${path}/${escapePointerToken(String(token))}`;
}

function quantity(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function describeType(type: string): string {
  return (
    ({ integer: "an integer", object: "an object", array: "an array", null: "null" } as Record<string, string>)[type] ??
    `a ${type}`
  );
}

/** Ajv's errors for an anyOf come before it and share its paths; find them. */
function isBranchOf(error: ErrorObject, anyOf: ErrorObject): boolean {
  return error.schemaPath.startsWith(`${anyOf.schemaPath}/`) && error.instancePath.startsWith(anyOf.instancePath);
}

/** Turns Ajv's errors into issues that point at the field at fault, in plain English. */
function toIssues(errors: readonly ErrorObject[], patternMessages: ReadonlyMap<string, string>): ValidationIssue[] {
  // anyOf branch errors are folded into one issue for the anyOf: reporting "accessURL is
  // required" and "downloadURL is required" would send the author to fix both.
  const folded = new Set<ErrorObject>();
  const anyOfMessages = new Map<ErrorObject, string>();
  errors.forEach((error, index) => {
    if (error.keyword !== "anyOf") return;
    const branches = errors.slice(0, index).filter((candidate) => isBranchOf(candidate, error));
    for (const branch of branches) folded.add(branch);
    const allMissing =
      branches.length > 0 && branches.every((b) => b.keyword === "required" && b.instancePath === error.instancePath);
    anyOfMessages.set(
      error,
      allMissing
        ? `must have at least one of: ${branches.map((b) => String(b.params["missingProperty"])).join(", ")}`
        : "does not match any of the allowed shapes",
    );
  });

  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  const add = (path: string, message: string): void => {
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    issues.push({ path, message });
  };

  for (const error of errors) {
    if (folded.has(error) || error.keyword === "propertyNames") continue;
    const params = error.params as Record<string, unknown>;
    // An error inside propertyNames is about a key: point at that key.
    const { propertyName } = error;
    const path = propertyName === undefined ? error.instancePath : child(error.instancePath, propertyName);
    const prefix = propertyName === undefined ? "" : "key ";
    switch (error.keyword) {
      case "required":
        add(child(path, String(params["missingProperty"])), "is required");
        break;
      case "additionalProperties":
        add(child(path, String(params["additionalProperty"])), "is not allowed");
        break;
      case "unevaluatedProperties":
        add(child(path, String(params["unevaluatedProperty"])), "is not allowed");
        break;
      case "enum":
        add(path, `${prefix}must be one of: ${(params["allowedValues"] as unknown[]).map(String).join(", ")}`);
        break;
      case "const":
        add(path, `${prefix}must be ${JSON.stringify(params["allowedValue"])}`);
        break;
      case "type":
        add(path, `${prefix}must be ${String(params["type"]).split(",").map(describeType).join(" or ")}`);
        break;
      case "format": {
        const format = String(params["format"]);
        add(path, prefix + (FORMAT_MESSAGES[format] ?? `must be a valid ${format}`));
        break;
      }
      case "pattern": {
        const pattern = String(params["pattern"]);
        add(path, prefix + (patternMessages.get(pattern) ?? `must match the pattern ${pattern}`));
        break;
      }
      case "minLength":
        add(
          path,
          `${prefix}${params["limit"] === 1 ? "must not be empty" : `must be at least ${quantity(Number(params["limit"]), "character")} long`}`,
        );
        break;
      case "maxLength":
        add(path, `${prefix}must be at most ${quantity(Number(params["limit"]), "character")} long`);
        break;
      case "minimum":
      case "maximum":
      case "exclusiveMinimum":
      case "exclusiveMaximum": {
        const words = {
          minimum: "at least",
          maximum: "at most",
          exclusiveMinimum: "greater than",
          exclusiveMaximum: "less than",
        };
        add(path, `must be ${words[error.keyword]} ${String(params["limit"])}`);
        break;
      }
      case "minItems":
        add(path, `must have at least ${quantity(Number(params["limit"]), "item")}`);
        break;
      case "maxItems":
        add(path, `must have at most ${quantity(Number(params["limit"]), "item")}`);
        break;
      case "uniqueItems": {
        // Point at the later copy: the earlier one is where the author meant it to be.
        const i = Number(params["i"]);
        const j = Number(params["j"]);
        add(child(path, Math.max(i, j)), `is a duplicate of item ${Math.min(i, j)}`);
        break;
      }
      case "anyOf":
        add(path, anyOfMessages.get(error) ?? "does not match any of the allowed shapes");
        break;
      default:
        add(path, `${prefix}${error.message ?? "is invalid"}`);
    }
  }
  // "not a url" fails both format: uri and the http(s) pattern; the second says it all.
  const httpUrlPaths = new Set(issues.filter((issue) => issue.message === HTTP_URL_MESSAGE).map((issue) => issue.path));
  return issues.filter((issue) => !(issue.message === FORMAT_MESSAGES["uri"] && httpUrlPaths.has(issue.path)));
}

/** Creates a validator with every schema compiled up front; reuse it, it is cheap to call. */
export function createDocumentValidator(): DocumentValidator {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  ajvFormats.default(ajv);
  const schemas = new Map<string, Schema>();
  for (const fileName of SCHEMA_FILES) {
    const schema = readSchema(fileName);
    schemas.set(fileName, schema);
    ajv.addSchema(schema);
  }

  const validators = new Map<string, ValidateFunction>();
  for (const type of DOCUMENT_TYPES) {
    const validate = ajv.getSchema(schemaId(SCHEMA_FILE_BY_TYPE[type]));
    if (validate === undefined) throw new TypeError(`no schema for ${type}`);
    validators.set(type, validate);
  }

  const patternMessages = new Map<string, string>();
  for (const [fileName, pointer, message] of PATTERN_MESSAGES) {
    const schema = schemas.get(fileName);
    const node = schema === undefined ? undefined : resolvePointer(schema, pointer);
    const pattern = isObject(node) ? node["pattern"] : undefined;
    if (typeof pattern !== "string") throw new TypeError(`schemas/${fileName}#${pointer} has no pattern`);
    patternMessages.set(pattern, message);
  }

  const allowedTypes = DOCUMENT_TYPES.join(", ");
  return {
    validate(doc: unknown): ValidationResult {
      if (!isObject(doc)) return { ok: false, details: [{ path: "", message: "must be a JSON object" }] };
      const type = doc["type"];
      if (type === undefined) {
        return { ok: false, details: [{ path: "/type", message: `is required; must be one of: ${allowedTypes}` }] };
      }
      const validate = typeof type === "string" ? validators.get(type) : undefined;
      if (validate === undefined) {
        return { ok: false, details: [{ path: "/type", message: `must be one of: ${allowedTypes}` }] };
      }
      const details = validate(doc) ? [] : toIssues(validate.errors ?? [], patternMessages);
      details.push(...periodIssues(doc));
      return details.length === 0 ? OK : { ok: false, details };
    },
  };
}
