import { storedDocument } from "../../schemas/catalogue.ts";
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
  /** Translated titles and summaries by language (only languages that have one), to show results in the reader's. */
  readonly translations?: Readonly<Record<string, TranslatedMeta>>;
}

/** A translation's title and summary, as results show them. */
export interface TranslatedMeta {
  readonly title?: string;
  readonly summary?: string;
}

/** The title and summary to show a reader of `locale`: the translation's where the item has one, else its own. */
export function shownText(meta: DocMeta, locale?: string): { title: string; summary: string; language: string } {
  const own = { title: meta.title, summary: meta.summary, language: meta.langs[0] ?? "" };
  if (!locale || own.language === locale) return own;
  const tr = meta.translations?.[locale];
  if (!tr?.title) return own;
  // A translated title with the summary left untranslated still reads better than all English.
  return { title: tr.title, summary: tr.summary || meta.summary, language: locale };
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

function str(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
}

function join(parts: readonly unknown[]): string {
  return parts.map(str).filter(Boolean).join("\n");
}

/** The text only some document types have, field by field, and what dates them. */
interface OwnText {
  readonly startYear?: number;
  readonly issued?: string;
  readonly keywords: readonly string[];
  /** Places beside the city and country. */
  readonly place: readonly unknown[];
  readonly outcomes: readonly unknown[];
  readonly prerequisites: readonly unknown[];
  readonly formats: readonly unknown[];
  /** Body text after `body`, in reading order. */
  readonly body: readonly unknown[];
}

const NO_OWN_TEXT: OwnText = { keywords: [], place: [], outcomes: [], prerequisites: [], formats: [], body: [] };

function ownText(item: ItemHead): OwnText {
  switch (item.type) {
    case "CaseStudy": {
      const d = storedDocument(item.document, "CaseStudy");
      return {
        ...NO_OWN_TEXT,
        startYear: d.startYear,
        outcomes: (d.outcomes ?? []).flatMap((o) => [o.metric, o.value, o.unit]),
        body: [
          d.problem,
          d.approach,
          ...(d.lessons ?? []),
          ...(d.timeline ?? []).map((m) => m.event),
          ...(d.technologies ?? []),
          ...(d.stakeholders ?? []).map((s) => s.name),
        ],
      };
    }
    case "Pathway": {
      const d = storedDocument(item.document, "Pathway");
      return {
        ...NO_OWN_TEXT,
        prerequisites: (d.prerequisites ?? []).flatMap((p) => [p.kind, p.description]),
        body: [
          ...(d.phases ?? []).flatMap((p) => [
            p.name,
            ...p.steps.flatMap((s) => [s.title, s.description]),
            ...(p.deliverables ?? []),
          ]),
          ...(d.challenges ?? []).flatMap((c) => [c.challenge, c.mitigation]),
          ...(d.readiness ?? []).map((r) => r.question),
        ],
      };
    }
    case "Dataset": {
      const d = storedDocument(item.document, "Dataset");
      return {
        ...NO_OWN_TEXT,
        issued: d.issued,
        keywords: d.keywords ?? [],
        place: [d.spatial, d.publisher?.name],
        formats: (d.distributions ?? []).flatMap((x) => [x.format, x.mediaType, x.title]),
      };
    }
    case "Adoption": {
      const d = storedDocument(item.document, "Adoption");
      return {
        ...NO_OWN_TEXT,
        keywords: [d.status],
        place: [d.profile?.region],
        outcomes: (d.outcomes ?? []).flatMap((o) => [o.metric, o.value, o.unit]),
        body: [...(d.adaptations ?? []), ...(d.lessons ?? [])],
      };
    }
    default:
      return NO_OWN_TEXT;
  }
}

function yearOf(own: OwnText): number | null {
  // The year a researcher means: when a case started, when a dataset was issued. Never
  // when the item was published on a node: that is the day it was loaded, not its year.
  if (typeof own.startYear === "number") return own.startYear;
  const y = Number(str(own.issued).slice(0, 4));
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
  const d = storedDocument(item.document);
  const own = ownText(item);
  const tr = Object.values(d.translations ?? {}).filter((t) => t !== undefined);
  const themes = d.themes ?? [];
  const tags = d.tags ?? [];
  const language = str(d.language);
  const translations: Record<string, TranslatedMeta> = {};
  for (const [lang, t] of Object.entries(d.translations ?? {})) {
    if (!t || (typeof t.title !== "string" && typeof t.summary !== "string")) continue;
    translations[lang] = {
      ...(typeof t.title === "string" ? { title: t.title } : {}),
      ...(typeof t.summary === "string" ? { summary: t.summary } : {}),
    };
  }
  const meta: DocMeta = {
    id: item.id,
    type: item.type,
    title: str(d.title),
    summary: str(d.summary),
    city: cityOf(item),
    origin: item.origin,
    local: item.local,
    verified: item.verified,
    langs: [...new Set([language, ...Object.keys(d.translations ?? {})].filter(Boolean))],
    year: yearOf(own),
    tags: [...new Set([...tags, ...themes])],
    updated: item.updated,
    ...(Object.keys(translations).length > 0 ? { translations } : {}),
  };
  const text: Record<FieldName, string> = {
    title: join([d.title, ...tr.map((t) => t.title)]),
    summary: join([d.summary, ...tr.map((t) => t.summary)]),
    tags: join([...tags, ...themes]),
    keywords: join(own.keywords),
    city: join([d.city, d.country, ...own.place]),
    outcomes: join(own.outcomes),
    prerequisites: join(own.prerequisites),
    formats: join(own.formats),
    body: stripMarkdown(join([d.body, ...own.body, ...(d.links ?? []).map((l) => l.title), ...tr.map((t) => t.body)])),
  };
  return { meta, text };
}
