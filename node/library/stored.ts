import canonicalize from "canonicalize";
import type { ItemRow, ItemVersionRow } from "../db/entities.ts";
import type { RenderedFields } from "../render/document-fields.ts";
import type { Provenance, StoredItem } from "./model.ts";

/** A document on its way into the store: validated, then canonicalized, signed and rendered. */
export interface Prepared {
  readonly document: Record<string, unknown>;
  /** RFC 8785 text of the document: what is signed, and what is stored. */
  canonical?: string;
  html?: RenderedFields;
  jws?: string;
}

/** A stored item from its head row and one version row. */
export function toStored(item: ItemRow, version: ItemVersionRow): StoredItem {
  return {
    id: item.id,
    type: item.type,
    origin: item.origin,
    local: item.local,
    verified: item.verified,
    deleted: item.deleted && version.version === item.version,
    version: version.version,
    title: item.title,
    city: item.city,
    language: item.language,
    published: item.published,
    updated:
      version.version === item.version
        ? item.updated
        : ((JSON.parse(version.document) as { updated?: string }).updated ?? item.updated),
    document: JSON.parse(version.document) as Record<string, unknown>,
    jws: version.jws,
    html: version.html === "" ? {} : (JSON.parse(version.html) as RenderedFields),
    provenance:
      item.local || !version.provenance || version.provenance === "{}"
        ? null
        : (JSON.parse(version.provenance) as Provenance),
  };
}

/** The head and version rows of a prepared document. */
export function rowsFor(
  p: Prepared,
  row: { local: boolean; author: string; changed: readonly string[]; createdAt: string; origin: string },
): { item: ItemRow; version: ItemVersionRow } {
  const d = p.document;
  const item: ItemRow = {
    id: d.id as string,
    type: d.type as string,
    origin: row.origin,
    local: row.local,
    version: d.version as number,
    title: d.title as string,
    city: d.city as string,
    language: d.language as string,
    published: d.published as string,
    updated: d.updated as string,
    deleted: false,
    verified: true,
    createdAt: row.createdAt,
  };
  const version: ItemVersionRow = {
    itemId: item.id,
    version: item.version,
    document: p.canonical ?? JSON.stringify(d),
    jws: p.jws as string,
    html: JSON.stringify(p.html ?? {}),
    author: row.author,
    changed: JSON.stringify(row.changed),
    createdAt: row.createdAt,
  };
  return { item, version };
}

/**
 * Top-level properties whose values differ between two versions, compared canonically (RFC
 * 8785): the same object with its keys in another order is not a change.
 */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const out: string[] = [];
  for (const key of keys) {
    if (key === "updated" || key === "version") continue;
    if (canonicalize(before[key]) !== canonicalize(after[key])) out.push(key);
  }
  return out.sort();
}
