import { Cite, plugins } from "@citation-js/core";
import { LRUCache } from "lru-cache";
import "@citation-js/plugin-bibtex";
import "@citation-js/plugin-ris";
import "@citation-js/plugin-csl";
import { storedDocument } from "../../schemas/catalogue.ts";
import type { StoredItem } from "../library/library.ts";

// How to cite an item, written by citation-js from one CSL-JSON record: BibTeX, RIS,
// CSL-JSON (what Zotero, Mendeley and Pandoc read) and a formatted reference (APA).

// citation-js writes BibTeX in ASCII by default, dropping every Korean letter from a title;
// biblatex, Zotero and bibtexparser read UTF-8, so the title goes out as written. Labels are
// the record's id (ASCII, made below), not one built from a title that may be Korean.
const bibtexConfig = plugins.config.get("@bibtex") as { format: { asciiOnly: boolean; useIdAsLabel: boolean } };
bibtexConfig.format.asciiOnly = false;
bibtexConfig.format.useIdAsLabel = true;

/** The formats of `/api/items/citation?format=`. */
export const CITATION_FORMATS = ["bibtex", "ris", "csl-json", "text"] as const;

/** One of {@link CITATION_FORMATS}. */
export type CitationFormat = (typeof CITATION_FORMATS)[number];

/** Whether `value` names a citation format. */
export function isCitationFormat(value: string): value is CitationFormat {
  return (CITATION_FORMATS as readonly string[]).includes(value);
}

/** A citation in one format, ready to send. */
export interface Citation {
  readonly body: string;
  readonly contentType: string;
  /** File name extension of a download. */
  readonly extension: string;
}

/** Who the reference names, decided by the caller from the verified origin. */
export interface CitationContext {
  /** The author: the city that signed the item (its verified origin's name), never the document's claim. */
  readonly author: string;
  /** The publisher: the WeGO Exchange node the item comes from. */
  readonly publisher: string;
  /** The access date (today). */
  readonly accessed: Date;
}

const MEDIA: Readonly<Record<CitationFormat, { contentType: string; extension: string }>> = {
  bibtex: { contentType: "application/x-bibtex; charset=utf-8", extension: "bib" },
  ris: { contentType: "application/x-research-info-systems; charset=utf-8", extension: "ris" },
  "csl-json": { contentType: "application/vnd.citationstyles.csl+json; charset=utf-8", extension: "json" },
  text: { contentType: "text/plain; charset=utf-8", extension: "txt" },
};

/** What kind of work each document type is, for reference managers. */
const CSL_TYPES: Readonly<Record<string, { type: string; genre: string }>> = {
  CaseStudy: { type: "report", genre: "Case study" },
  Pathway: { type: "report", genre: "Policy-export pathway" },
  Dataset: { type: "dataset", genre: "Dataset" },
};

function dateParts(iso: string): number[] {
  const [y, m, d] = iso.slice(0, 10).split("-").map(Number);
  return [y!, m!, d!];
}

/** The CSL-JSON record of an item at its version: the one source every format is written from. */
export function cslRecord(item: StoredItem, context: CitationContext): Record<string, unknown> {
  const d = storedDocument(item.document);
  const kind = CSL_TYPES[item.type] ?? { type: "document", genre: item.type };
  const slug = new URL(item.id).pathname.split("/").filter(Boolean).at(-1) ?? "item";
  return {
    // An ASCII key, stable per item and version: also the BibTeX label.
    id: `wego-${slug.replace(/[^A-Za-z0-9-]/g, "")}-v${item.version}`,
    type: kind.type,
    genre: kind.genre,
    title: d.title,
    author: [{ literal: context.author }],
    // The date of the version cited: its year is the reference's year.
    issued: { "date-parts": [dateParts(item.updated)] },
    version: String(item.version),
    publisher: context.publisher,
    URL: item.id,
    language: d.language,
    accessed: { "date-parts": [dateParts(context.accessed.toISOString())] },
  };
}

/**
 * Formatted references already made, by item, version, names and day: citeproc takes tens of
 * milliseconds for one APA reference, and every item page shows one.
 */
const texts = new LRUCache<string, Citation>({ max: 2_000 });

/** The item's citation in `format`. */
export function citeItem(item: StoredItem, context: CitationContext, format: CitationFormat): Citation {
  if (format !== "text") return writeCitation(item, context, format);
  const key = JSON.stringify([
    item.id,
    item.version,
    context.author,
    context.publisher,
    context.accessed.toISOString().slice(0, 10),
  ]);
  let text = texts.get(key);
  if (!text) {
    text = writeCitation(item, context, format);
    texts.set(key, text);
  }
  return text;
}

function writeCitation(item: StoredItem, context: CitationContext, format: CitationFormat): Citation {
  const record = cslRecord(item, context);
  const cite = new Cite(format === "bibtex" ? forBibtex(record) : record);
  const body =
    format === "bibtex"
      ? cite.format("bibtex")
      : format === "ris"
        ? unwrapRis(String(cite.format("ris")))
        : format === "csl-json"
          ? JSON.stringify(cite.format("data", { format: "object" }), null, 2)
          : cite.format("bibliography", { format: "text", template: "apa", lang: "en-US" });
  return { body: String(body).trim().concat("\n"), ...MEDIA[format] };
}

/**
 * citation-js breaks every RIS value after 70 characters, mid-word, onto a line without a tag;
 * readers that take one line per tag (astrocite, EndNote's strict mode) then lose the rest of
 * a long title. Joining those lines back gives each tag its whole value on one line, as RIS
 * allows.
 */
function unwrapRis(ris: string): string {
  const lines: string[] = [];
  for (const line of ris.split("\n")) {
    if (lines.length === 0 || /^[A-Z][A-Z0-9] {2}-/.test(line)) lines.push(line);
    else lines[lines.length - 1] += line;
  }
  return lines.join("\n");
}

/**
 * With `asciiOnly` off, citation-js writes BibTeX values as they are: a title (or a peer's
 * name) with an unbalanced brace would close its field and add fields of its own. TeX's
 * special characters are escaped first, so every value stays inside its braces.
 */
function forBibtex(record: Record<string, unknown>): Record<string, unknown> {
  // Braces become commands with balanced braces of their own: BibTeX counts `\{` as a brace too.
  const commands: Readonly<Record<string, string>> = {
    "\\": "\\textbackslash{}",
    "{": "\\textbraceleft{}",
    "}": "\\textbraceright{}",
    "^": "\\textasciicircum{}",
    "~": "\\textasciitilde{}",
  };
  const tex = (text: unknown) =>
    typeof text === "string" ? text.replace(/[\\{}%&$#_^~]/g, (c) => commands[c] ?? `\\${c}`) : text;
  return {
    ...record,
    title: tex(record.title),
    genre: tex(record.genre),
    publisher: tex(record.publisher),
    author: (record.author as { literal: string }[]).map((a) => ({ literal: tex(a.literal) })),
  };
}
