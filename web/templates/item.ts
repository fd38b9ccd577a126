import { storedDocument } from "../../schemas/catalogue.ts";
import type { ItemDocument } from "../../node/library/documents.generated.ts";
import { html, trusted, type SafeHtml } from "../html.ts";
import { fill, languageName } from "../i18n.ts";
import { renderLayout, type PageFrame } from "./layout.ts";
import { cityHref, dateTag, themeName, typeLabel } from "./parts.ts";
import { renderProvenance, type ProvenanceView } from "./provenance.ts";
import { renderAdoptedBy, type AdoptionEntry } from "./adoptions.ts";
import { type CiteView, renderCiteBox } from "./cite.ts";
import { type CsvPreviewView, renderCsvPreviews } from "./csv-preview.ts";
import { renderCaseSections, renderDatasetSections, renderPathwaySections } from "./item-sections.ts";
import { fact, itemPageHref, str, strings, type LinkedItem, type LinkingList } from "./item-parts.ts";
import { renderItemMeta } from "./structured-data.ts";

/** What the item page needs. */
export interface ItemView {
  readonly id: string;
  readonly type: string;
  readonly document: Record<string, unknown>;
  /** Sanitized HTML of the Markdown fields, keyed by JSON pointer. */
  readonly html: Readonly<Record<string, string>>;
  readonly deleted: boolean;
  readonly provenance: ProvenanceView;
  /** Items this one links to (by id), where this node holds them. */
  readonly linked: ReadonlyMap<string, LinkedItem>;
  /** Live items that link to this one, by their type; none on a past version's page. */
  readonly linking?: ReadonlyMap<string, LinkingList>;
  /** When the page shows a past version: which, of how many, and whether the item is deleted now. */
  readonly past?: {
    readonly version: number;
    readonly total: number;
    readonly createdAt: string;
    readonly deletedSince: boolean;
  };
  /** For a deleted item: its last title, when and by whom, and its last version before the Tombstone. */
  readonly deletion?: {
    readonly title: string;
    readonly date: string;
    readonly by: string;
    readonly lastVersion?: number;
  };
  /** Show the original language even when a translation matches the reader's. */
  readonly original: boolean;
  /** Edit and delete links, for officials of this node's city. */
  readonly actions?: { readonly edit: string; readonly delete: string };
  /** The first rows of the dataset's CSV files this node serves itself. */
  readonly previews?: readonly CsvPreviewView[];
  /** How to cite the version shown; none for a deleted item. */
  readonly citation?: CiteView;
  /** How many fediverse accounts shared (boosted) this item; 0 or absent shows nothing. */
  readonly shares?: number;
  /** This page's path without the interface-language parameter, for the "original" link. */
  readonly path: string;
  /** For a case: the cities adopting it, from their signed adoptions. */
  readonly adoptedBy?: readonly AdoptionEntry[];
}

/** Renders the page of one item: content in the reader's language where translated, and its provenance. */
export function renderItemPage(frame: PageFrame, view: ItemView): string {
  const { t, locale } = frame;
  // Every field optional: a deleted item's document is its Tombstone, which has no content fields.
  const d = view.document as Partial<ItemDocument>;
  const language = str(d.language) ?? "en";
  const translation = d.translations?.[locale];
  const translated = !view.original && language !== locale && translation !== undefined;
  const title = (translated ? str(translation.title) : undefined) ?? str(d.title) ?? view.id;
  const summary = (translated ? str(translation.summary) : undefined) ?? str(d.summary) ?? "";
  const markdown = (pointer: string): SafeHtml | "" => {
    const p =
      translated && pointer === "/body" && view.html[`/translations/${locale}/body`]
        ? `/translations/${locale}/body`
        : pointer;
    const rendered = view.html[p];
    return rendered
      ? html`<div class="prose" lang="${p === pointer ? language : locale}">${trusted(rendered)}</div>`
      : "";
  };
  const parts = {
    frame,
    markdown,
    linked: view.linked,
    linking: view.linking ?? new Map<string, LinkingList>(),
    adoptedBy: view.adoptedBy ? renderAdoptedBy(frame, view.adoptedBy) : undefined,
  };
  const { address } = view.provenance;
  // A live item's document is one of its type (the sections are not shown for a deleted one).
  const sections = view.deleted
    ? ""
    : view.type === "CaseStudy"
      ? renderCaseSections({ ...parts, d: storedDocument(view.document, "CaseStudy") })
      : view.type === "Pathway"
        ? renderPathwaySections({ ...parts, d: storedDocument(view.document, "Pathway") })
        : view.type === "Dataset"
          ? renderDatasetSections({ ...parts, d: storedDocument(view.document, "Dataset") })
          : markdown("/body");
  const contentLang = translated ? locale : language;
  const deletion = view.deletion;
  const pageTitle = view.deleted
    ? deletion?.title
      ? fill(t.deletedTitle, { title: deletion.title })
      : t.deletedUntitled
    : title;
  const past = view.past;
  const banner = past
    ? html`<div class="notice version-banner" role="note"><p><strong>${fill(t.versionBanner, { n: past.version, total: past.total, date: past.createdAt.slice(0, 10) })}</strong>${past.deletedSince ? html` ${t.deletedSince}` : ""}</p>
<p><a href="${itemPageHref(address)}">${t.seeCurrent}</a>${past.version > 1 ? html` · <a href="${itemPageHref(address, { from: past.version - 1, to: past.version })}">${t.whatChanged}</a>` : ""}</p></div>`
    : "";
  const body = view.deleted
    ? html`<h1>${pageTitle}</h1>
<p class="alert">${deletion ? fill(t.deletedOn, { date: deletion.date.slice(0, 10), city: deletion.by }) : t.deleted}</p>
${deletion?.lastVersion ? html`<p><a href="${itemPageHref(address, { version: deletion.lastVersion })}">${t.deletedLastVersion}</a></p>` : ""}
<p class="meta"><code>${view.id}</code></p>`
    : html`${banner}<div lang="${contentLang}">
<h1>${title}</h1>
<p class="summary">${summary}</p>
</div>
${
  translated
    ? html`<p class="notice">${fill(t.translatedFrom, { lang: languageName(locale, locale), orig: languageName(language, locale) })} <a href="${view.path}${view.path.includes("?") ? "&" : "?"}original=1">${t.showOriginal}</a></p>`
    : ""
}
${
  view.type === "Pathway" && !past
    ? html`<p class="item-actions"><a class="button" href="/assess?${new URLSearchParams({ pathway: view.id })}">${t.assessLink}</a></p>`
    : ""
}
${view.actions ? html`<p class="item-actions"><a class="button secondary" href="${view.actions.edit}">${t.edit}</a> <a class="button secondary" href="${view.actions.delete}">${t.delete}</a></p>` : ""}
<dl class="facts">
  ${
    // The city a document names is its content: linked to a city page only for this node's
    // own items. A peer's claim is shown as text; who signed it is in the provenance panel.
    fact(
      t.city,
      html`${view.provenance.local ? html`<a href="${cityHref(str(d.city) ?? "")}">${str(d.city) ?? ""}</a>` : (str(d.city) ?? "")}${str(d.country) ? `, ${String(d.country)}` : ""}`,
    )
  }
  ${fact(t.language, languageName(language, locale))}
  ${fact(t.version, d.version)}
  ${fact(t.published, dateTag(str(d.published)))}
  ${fact(t.updated, dateTag(str(d.updated)))}
  ${fact(t.license, str(d.license))}
  ${view.shares ? fact(t.sharesOnFediverse, html`<span class="shares">${view.shares.toLocaleString(locale)}</span>`) : ""}
</dl>
${
  strings(d.themes).length || strings(d.tags).length
    ? html`<ul class="chips" aria-label="${t.themes}, ${t.tags}">${[...strings(d.themes).map((tag): [string, string] => [tag, themeName(locale, tag)]), ...strings(d.tags).map((tag): [string, string] => [tag, tag])].map(([tag, name]) => html`<li><a href="/search?${new URLSearchParams({ tag })}">${name}</a></li>`)}</ul>`
    : ""
}
${sections}
${view.previews?.length ? renderCsvPreviews(t, view.previews) : ""}
${view.citation ? renderCiteBox(t, view.citation) : ""}`;
  // Search engines and link previews describe the item as it is now: not a past version, not a Tombstone.
  const head =
    view.deleted || past
      ? undefined
      : renderItemMeta({
          id: view.id,
          type: view.type,
          document: view.document,
          publisherName: view.provenance.city,
          publisherUrl: str(d.attributedTo),
          title,
          summary,
          language: contentLang,
          locale,
          siteName: t.siteName,
        });
  return renderLayout(
    { ...frame, title: past ? `${title} · ${t.version} ${past.version}` : pageTitle, head },
    html`<p class="type">${typeLabel(t, view.type)}</p>
<div class="item-layout">
<article>${body}</article>
${renderProvenance(t, frame.locale, view.type, view.provenance)}
</div>`,
  );
}
