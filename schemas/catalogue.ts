/**
 * The catalogue of the document schemas in this folder: their `$id` base, the document types
 * and each type's schema file, and how to read them. The validator, the form builder, the type
 * generator and the pages all take the list from here. Depends on no domain module.
 */
import { readFileSync } from "node:fs";
import type {
  Adoption,
  CaseStudy,
  Dataset,
  DocumentType,
  ItemDocument,
  Pathway,
} from "../node/library/documents.generated.ts";

/** A JSON Schema (or any part of one), as parsed. */
export type Schema = Record<string, unknown>;

/** What every schema's `$id` starts with; the rest is its file name. */
export const SCHEMA_BASE = "https://wego-exchange.org/schemas/";

/** The schema of the shared `$defs` (documentCore, links, translations, …); not a document type. */
export const COMMON_SCHEMA_FILE = "common.schema.json";

/** The values of a document's `type`, each with its own schema, in the order pages list them. */
export const DOCUMENT_TYPES = [
  "CaseStudy",
  "Pathway",
  "Dataset",
  "Adoption",
] as const satisfies readonly DocumentType[];

/** The schema file of each document type: its current version, which new documents are checked against. */
export const SCHEMA_FILE_BY_TYPE: Readonly<Record<DocumentType, string>> = {
  CaseStudy: "case-study-v2.schema.json",
  Pathway: "pathway.schema.json",
  Dataset: "dataset.schema.json",
  Adoption: "adoption.schema.json",
};

/**
 * Earlier versions of a type's schema (append-only: a change is a new `-vN` file). They are
 * still loaded, because the current version reuses their `$defs` and accepts every document
 * they accept; documents are checked against the current version only.
 */
export const SUPERSEDED_SCHEMA_FILES: readonly string[] = ["case-study.schema.json"];

/** Every schema file: the common one, the superseded versions, then one per document type. */
export const SCHEMA_FILES: readonly string[] = [
  COMMON_SCHEMA_FILE,
  ...SUPERSEDED_SCHEMA_FILES,
  ...DOCUMENT_TYPES.map((type) => SCHEMA_FILE_BY_TYPE[type]),
];

/** The generated type of each document type's documents. */
export interface DocumentOfType {
  readonly CaseStudy: CaseStudy;
  readonly Pathway: Pathway;
  readonly Dataset: Dataset;
  readonly Adoption: Adoption;
}

/** Whether a value names a document type. */
export function isDocumentType(value: unknown): value is DocumentType {
  return (DOCUMENT_TYPES as readonly unknown[]).includes(value);
}

/** The `$id` of a schema file. */
export function schemaId(fileName: string): string {
  return `${SCHEMA_BASE}${fileName}`;
}

/** Reads and parses one schema file of this folder. */
export function readSchema(fileName: string): Schema {
  const parsed: unknown = JSON.parse(readFileSync(new URL(`./${fileName}`, import.meta.url), "utf8"));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new TypeError(`schemas/${fileName} is not a JSON object`);
  }
  return parsed as Schema;
}

/**
 * A stored document as its generated type: of its item's type when given, else any item
 * document (for the fields every type has). Every document the library holds passed the
 * validator for its type when it was published or received, so this labels it without a
 * second check: call it where a stored document is read, never on unvalidated input.
 */
export function storedDocument(document: Readonly<Record<string, unknown>>): ItemDocument;
export function storedDocument<T extends DocumentType>(
  document: Readonly<Record<string, unknown>>,
  type: T,
): DocumentOfType[T];
export function storedDocument(document: Readonly<Record<string, unknown>>): ItemDocument {
  return document as unknown as ItemDocument;
}
