import { stripMarkdown } from "./text.ts";

/** The lunr fields of an indexed item, with their boosts (title and summary weigh most). */
export const FIELDS = {
  title: 10,
  summary: 4,
  tags: 3,
  keywords: 3,
  city: 2,
  outcomes: 1.5,
  prerequisites: 1.5,
  formats: 1.5,
  body: 1,
} as const;

/** A lunr field name. */
export type FieldName = keyof typeof FIELDS;

/** The field names, in a fixed order. */
export const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

/** The text of one item, field by field, as the index builder takes it. */
export type IndexText = { readonly [F in FieldName]?: string };

/** What search results and facets need of an item, kept in memory beside the index. */
export interface DocMeta {
  readonly id: string;
  readonly type: string;
  readonly title: string;
  readonly summary: string;
  readonly city: string;
  readonly origin: string;
  readonly local: boolean;
  readonly verified: boolean;
  /** The document's language first, then its translations' languages. */
  readonly langs: readonly string[];
  readonly year: number | null;
  /** Tags and themes, for the `tag` facet and filter. */
  readonly tags: readonly string[];
  readonly updated: string;
}

/** An item ready for indexing: its metadata and its text. */
export interface IndexDoc {
  readonly meta: DocMeta;
  readonly text: IndexText;
}

/** The head of an item, as the library stores it (a `StoredItem` or a database row). */
export interface ItemHead {
  readonly id: string;
  readonly type: string;
  readonly origin: string;
  readonly local: boolean;
  readonly verified: boolean;
  readonly city: string;
  readonly updated: string;
  readonly published: string;
  readonly document: Record<string, unknown>;
}

type Obj = Record<string, unknown>;

function asArray(value: unknown): Obj[] {
  return Array.isArray(value) ? value.filter((v): v is Obj => typeof v === "object" && v !== null) : [];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function str(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
}

function join(parts: readonly unknown[]): string {
  return parts.map(str).filter(Boolean).join("\n");
}

function yearOf(doc: Obj, published: string): number | null {
  // The year a researcher means: when a case started, when a dataset was issued,
  // otherwise when the item was published.
  if (typeof doc.startYear === "number") return doc.startYear;
  const dated = str(doc.issued) || published;
  const y = Number(dated.slice(0, 4));
  return Number.isInteger(y) && y > 0 ? y : null;
}

/**
 * The city an item is listed and faceted under, from who signed it, never from what it
 * says: this node's own items keep their city name; a peer's item is filed under its
 * origin's host, whatever its `city` field claims (a peer's document saying "Seoul" must
 * not appear among Seoul's items). Pages show a peer's host with its actor's name.
 */
export function cityOf(item: Pick<ItemHead, "local" | "city" | "origin">): string {
  if (item.local) return item.city;
  try {
    return new URL(item.origin).host;
  } catch {
    return item.origin;
  }
}

/** Index text and metadata of an item; text fields are plain (Markdown stripped). */
export function toIndexDoc(item: ItemHead): IndexDoc {
  const d = item.document;
  const translations = (typeof d.translations === "object" && d.translations !== null ? d.translations : {}) as Record<string, Obj>;
  const tr = Object.values(translations).filter((t) => typeof t === "object" && t !== null);
  const themes = strings(d.themes);
  const tags = strings(d.tags);
  const language = str(d.language);
  const meta: DocMeta = {
    id: item.id,
    type: item.type,
    title: str(d.title),
    summary: str(d.summary),
    city: cityOf(item),
    origin: item.origin,
    local: item.local,
    verified: item.verified,
    langs: [...new Set([language, ...Object.keys(translations)].filter(Boolean))],
    year: yearOf(d, item.published),
    tags: [...new Set([...tags, ...themes])],
    updated: item.updated,
  };
  const text: Record<FieldName, string> = {
    title: join([d.title, ...tr.map((t) => t.title)]),
    summary: join([d.summary, ...tr.map((t) => t.summary)]),
    tags: join([...tags, ...themes]),
    keywords: join(strings(d.keywords)),
    city: join([d.city, d.country, d.spatial, (d.publisher as Obj | undefined)?.name]),
    outcomes: join(asArray(d.outcomes).flatMap((o) => [o.metric, o.value, o.unit])),
    prerequisites: join(asArray(d.prerequisites).flatMap((p) => [p.kind, p.description])),
    formats: join(asArray(d.distributions).flatMap((x) => [x.format, x.mediaType, x.title])),
    body: stripMarkdown(
      join([
        d.body,
        d.problem,
        d.approach,
        ...strings(d.lessons),
        ...asArray(d.timeline).map((m) => m.event),
        ...strings(d.technologies),
        ...asArray(d.stakeholders).map((s) => s.name),
        ...asArray(d.phases).flatMap((p) => [p.name, ...asArray(p.steps).flatMap((s) => [s.title, s.description]), ...strings(p.deliverables)]),
        ...asArray(d.challenges).flatMap((c) => [c.challenge, c.mitigation]),
        ...asArray(d.readiness).map((r) => r.question),
        ...asArray(d.links).map((l) => l.title),
        ...tr.map((t) => t.body),
      ]),
    ),
  };
  return { meta, text };
}
