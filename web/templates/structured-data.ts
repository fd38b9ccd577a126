import type { Distribution } from "../../node/library/documents.generated.ts";
import { html, type SafeHtml, trusted } from "../html.ts";
import { str, strings } from "./item-parts.ts";

// What search engines and link previews read from an item page: schema.org JSON-LD (a
// `Dataset` with its `DataDownload`s, so Google Dataset Search can list it; an `Article` for a
// case study; a `CreativeWork` for anything else), Open Graph and Twitter-card tags, and the
// canonical URL (the item's id on its origin, so a peer's copy is never indexed as the original).

/** What the head of a live item's page says about it. */
export interface ItemMeta {
  /** The item's id: its canonical URL on its origin node. */
  readonly id: string;
  readonly type: string;
  readonly document: Readonly<Record<string, unknown>>;
  /** The publishing city's name, as the node verified it. */
  readonly publisherName: string;
  /** The publishing city's actor URL. */
  readonly publisherUrl?: string;
  /** Title and summary in the language the page shows. */
  readonly title: string;
  readonly summary: string;
  /** The page's content language (BCP 47) and interface locale (`en`, `ko`). */
  readonly language: string;
  readonly locale: string;
  readonly siteName: string;
}

/** The `<head>` tags of an item page: canonical link, Open Graph, Twitter card and schema.org JSON-LD. */
export function renderItemMeta(meta: ItemMeta): SafeHtml {
  const description = meta.summary.length > 300 ? `${meta.summary.slice(0, 297)}…` : meta.summary;
  const og = (property: string, content: string) => html`<meta property="${property}" content="${content}">`;
  const tw = (name: string, content: string) => html`<meta name="${name}" content="${content}">`;
  return html`<link rel="canonical" href="${meta.id}">
${og("og:type", meta.type === "CaseStudy" ? "article" : "website")}
${og("og:title", meta.title)}
${og("og:description", description)}
${og("og:url", meta.id)}
${og("og:site_name", meta.siteName)}
${og("og:locale", meta.locale === "ko" ? "ko_KR" : "en_US")}
${tw("twitter:card", "summary")}
${tw("twitter:title", meta.title)}
${tw("twitter:description", description)}
<script type="application/ld+json">${jsonForScript(schemaOrgFor(meta))}</script>`;
}

/**
 * JSON safe inside a `<script>` element: `<`, `>` and `&` written as JSON escapes, so no
 * value can close the element or open a comment (`</script>`, `<!--`); U+2028 and U+2029 too.
 */
export function jsonForScript(value: unknown): SafeHtml {
  return trusted(
    JSON.stringify(value)
      .replace(/</g, "\\u003c")
      .replace(/>/g, "\\u003e")
      .replace(/&/g, "\\u0026")
      .replace(/\u2028/g, "\\u2028")
      .replace(/\u2029/g, "\\u2029"),
  );
}

/** The schema.org description of an item (JSON-LD, compact, schema.org as the vocabulary). */
export function schemaOrgFor(meta: ItemMeta): Record<string, unknown> {
  const d = meta.document;
  const publisher = {
    "@type": "GovernmentOrganization",
    name: meta.publisherName,
    ...(meta.publisherUrl ? { url: meta.publisherUrl } : {}),
  };
  const keywords = [...strings(d.themes), ...strings(d.tags), ...strings(d.keywords)];
  const common: Record<string, unknown> = {
    "@context": "https://schema.org",
    "@id": meta.id,
    url: meta.id,
    identifier: meta.id,
    name: meta.title,
    description: meta.summary,
    inLanguage: meta.language,
    ...(keywords.length ? { keywords: [...new Set(keywords)] } : {}),
    ...(str(d.license) ? { license: licenceUrl(str(d.license)!) } : {}),
    ...(str(d.published) ? { datePublished: str(d.published) } : {}),
    ...(str(d.updated) ? { dateModified: str(d.updated) } : {}),
    ...(typeof d.version === "number" ? { version: String(d.version) } : {}),
    creator: publisher,
    publisher,
  };
  if (meta.type === "Dataset") {
    const temporal = d.temporal as { start?: string; end?: string } | undefined;
    const distributions = Array.isArray(d.distributions) ? (d.distributions as Distribution[]) : [];
    return {
      ...common,
      "@type": "Dataset",
      isAccessibleForFree: true,
      ...(str(d.spatial) ? { spatialCoverage: { "@type": "Place", name: str(d.spatial) } } : {}),
      ...(temporal?.start || temporal?.end
        ? { temporalCoverage: `${temporal.start ?? ".."}/${temporal.end ?? ".."}` }
        : {}),
      distribution: distributions.flatMap((dist) => {
        const contentUrl = dist.downloadURL ?? dist.accessURL;
        if (!contentUrl) return [];
        return [
          {
            "@type": "DataDownload",
            contentUrl,
            ...(dist.title ? { name: dist.title } : {}),
            ...(dist.mediaType || dist.format ? { encodingFormat: dist.mediaType ?? dist.format } : {}),
            ...(typeof dist.byteSize === "number" ? { contentSize: `${dist.byteSize} B` } : {}),
          },
        ];
      }),
    };
  }
  if (meta.type === "CaseStudy")
    return { ...common, "@type": "Article", headline: meta.title.slice(0, 110), author: publisher };
  return { ...common, "@type": "CreativeWork", headline: meta.title.slice(0, 110), author: publisher };
}

/** An SPDX id as the URL of its SPDX page; a URL as written. */
function licenceUrl(licence: string): string {
  return /^https?:\/\//.test(licence) ? licence : `https://spdx.org/licenses/${licence}.html`;
}
