import { Readable } from "node:stream";
import { stringify } from "csv-stringify";
import { storedDocument } from "../../schemas/catalogue.ts";
import type { Library, StoredItem } from "../library/library.ts";
import type { SearchResult } from "../search/service.ts";

// A researcher's export of a search: every match in the search's order, one row per item,
// as CSV (csv-stringify) or JSON Lines.

/** One exported item: what a researcher tabulates. */
export interface ExportRow {
  readonly id: string;
  readonly title: string;
  readonly type: string;
  /** Who signed it: this node's city, or a peer's name and host; never the document's own claim. */
  readonly city: string;
  readonly country: string;
  readonly language: string;
  readonly year: number | null;
  readonly themes: readonly string[];
  readonly tags: readonly string[];
  readonly sdgs: readonly number[];
  readonly summary: string;
  /** The item's URL (its id: a page for browsers, the signed object for ActivityPub). */
  readonly url: string;
  readonly origin: string;
  readonly verified: boolean;
  readonly version: number;
  readonly updated: string;
}

/** What building rows needs: the documents, and the names of the cities that signed them. */
export interface ExportSource {
  readonly library: Pick<Library, "getMany">;
  /** Labels of city keys (`SearchResult.city`), as the pages show them. */
  labels(keys: Iterable<string>): Promise<Map<string, string>>;
}

/** Documents read per query: bounds what one step of an export holds. */
const CHUNK = 100;

/** The CSV columns, in order, with their header names. */
const COLUMNS: readonly { key: keyof ExportRow; header: string }[] = [
  { key: "title", header: "title" },
  { key: "type", header: "type" },
  { key: "city", header: "city" },
  { key: "country", header: "country" },
  { key: "language", header: "language" },
  { key: "year", header: "year" },
  { key: "themes", header: "themes" },
  { key: "tags", header: "tags" },
  { key: "sdgs", header: "SDGs" },
  { key: "summary", header: "summary" },
  { key: "url", header: "URL" },
  { key: "origin", header: "origin" },
  { key: "verified", header: "verified" },
  { key: "version", header: "version" },
  { key: "updated", header: "updated" },
];

/**
 * The rows of `results`, in their order, read a chunk at a time as the consumer pulls them
 * (so a slow download holds one chunk, not the whole export). An item deleted since the
 * search ran is left out.
 */
export async function* exportRows(results: readonly SearchResult[], source: ExportSource): AsyncGenerator<ExportRow> {
  for (let at = 0; at < results.length; at += CHUNK) {
    const chunk = results.slice(at, at + CHUNK);
    const [items, labels] = await Promise.all([
      source.library.getMany(chunk.map((r) => r.id)),
      source.labels(chunk.map((r) => r.city)),
    ]);
    for (const result of chunk) {
      const item = items.get(result.id);
      if (item && !item.deleted) yield rowOf(result, item, labels.get(result.city) ?? result.city);
    }
  }
}

function rowOf(result: SearchResult, item: StoredItem, city: string): ExportRow {
  const d = storedDocument(item.document);
  const sdgs = item.type === "CaseStudy" ? (storedDocument(item.document, "CaseStudy").sdgs ?? []) : [];
  return {
    id: item.id,
    title: item.title,
    type: item.type,
    city,
    country: d.country,
    language: item.language,
    year: result.year,
    themes: d.themes ?? [],
    tags: d.tags ?? [],
    sdgs,
    summary: d.summary,
    url: item.id,
    origin: item.origin,
    verified: item.verified,
    version: item.version,
    updated: item.updated,
  };
}

/**
 * The rows as CSV: UTF-8 with a byte-order mark (so Excel reads Korean as Korean), a header
 * row, lists joined by "; ", no cell a spreadsheet would run as a formula. Streams with backpressure: rows are read as the client reads.
 */
export function csvExport(rows: AsyncIterable<ExportRow>): Readable {
  const csv = stringify({
    bom: true,
    header: true,
    columns: COLUMNS.map(({ key, header }) => ({ key, header })),
    cast: {
      boolean: (value) => (value ? "true" : "false"),
      // A cell that starts like a formula is one when a spreadsheet opens the file (a peer's
      // title "=HYPERLINK(…)" would run): it is written as text, behind an apostrophe (OWASP).
      string: (value) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value),
    },
  });
  const flat = Readable.from(
    (async function* () {
      for await (const row of rows)
        yield {
          ...row,
          themes: row.themes.join("; "),
          tags: row.tags.join("; "),
          sdgs: row.sdgs.join("; "),
          year: row.year ?? "",
        };
    })(),
  );
  flat.on("error", (error) => csv.destroy(error));
  return flat.pipe(csv);
}

/** The rows as JSON Lines: one object a line, UTF-8, lists as arrays. */
export function jsonlExport(rows: AsyncIterable<ExportRow>): Readable {
  return Readable.from(
    (async function* () {
      for await (const row of rows) yield `${JSON.stringify(row)}\n`;
    })(),
  );
}
