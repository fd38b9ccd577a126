import sanitizeHtml from "sanitize-html";
import type { Adoption, CaseStudy, Dataset, Pathway } from "../../node/library/documents.generated.ts";
import { formLabel, optionLabel } from "../forms/form-text.ts";
import { html, trusted, type SafeHtml } from "../html.ts";
import { fill, stringsFor, type Locale, type Strings } from "../i18n.ts";
import { str } from "./item-parts.ts";
import { money, num } from "./pathway-parts.ts";

// An item's HTML `content` as ordinary fediverse software shows it (snac, Mastodon,
// Misskey): a lead paragraph, then the structure of its type as headings and lists (their
// HTML cleaners keep h2, h3, p, ul, ol, li, a, strong, and drop tables), then a link to the
// item's page. Everything goes through one sanitizer with that short list of tags.

/** What {@link renderActivityContent} reads of an item. */
export interface ActivityContentItem {
  /** The item's page (its id). */
  readonly id: string;
  readonly document: Readonly<Record<string, unknown>>;
  /** The item's Markdown fields rendered to sanitized HTML, keyed by JSON pointer. */
  readonly html: Readonly<Record<string, string>>;
}

/** The tags fediverse servers keep; tables become lists before they get here. */
const ALLOWED: sanitizeHtml.IOptions = {
  allowedTags: ["p", "br", "a", "ul", "ol", "li", "h2", "h3", "strong", "em", "code", "pre", "blockquote", "del"],
  allowedAttributes: { a: ["href", "rel"] },
  allowedSchemes: ["http", "https", "mailto"],
  transformTags: {
    h1: "h2",
    h4: "h3",
    h5: "h3",
    h6: "h3",
    table: "ul",
    tr: "li",
    b: "strong",
    i: "em",
    a: sanitizeHtml.simpleTransform("a", { rel: "nofollow noopener" }),
  },
};

/** Table rows as list entries, cells kept apart by a middle dot (the sanitizer makes `tr` an `li`). */
function tablesAsLists(fragment: string): string {
  return fragment.replace(/<\/(td|th)>\s*(?=<t[dh][\s>])/g, "</$1> · ").replace(/<thead>[\s\S]*?<\/thead>/g, "");
}

function choice(locale: Locale, key: string, value: unknown): string {
  const text = str(value) ?? "";
  return optionLabel(locale, key, text) ?? text;
}

function section(title: string, body: SafeHtml | string | false | undefined): SafeHtml | "" {
  return body ? html`<h2>${title}</h2>${body}` : "";
}

function list(entries: readonly (SafeHtml | string)[], ordered = false): SafeHtml | "" {
  if (entries.length === 0) return "";
  return ordered
    ? html`<ol>${entries.map((e) => html`<li>${e}</li>`)}</ol>`
    : html`<ul>${entries.map((e) => html`<li>${e}</li>`)}</ul>`;
}

function markdown(item: ActivityContentItem, pointer: string): SafeHtml | "" {
  const rendered = item.html[pointer];
  return rendered ? trusted(tablesAsLists(rendered)) : "";
}

/** Outcomes as "metric: value unit (year) — source", one list entry each. */
function outcomes(
  rows: readonly { metric?: unknown; value?: unknown; unit?: unknown; year?: unknown; source?: unknown }[] | undefined,
  t: Strings,
  locale: Locale,
): SafeHtml | "" {
  return section(
    t.outcomes,
    list(
      (rows ?? []).map(
        (o) =>
          html`<strong>${str(o.metric) ?? ""}</strong>: ${typeof o.value === "number" ? o.value.toLocaleString(locale) : String(o.value ?? "")}${str(o.unit) ? ` ${o.unit}` : ""}${num(o.year) ? ` (${o.year})` : ""}${str(o.source) ? ` — ${o.source}` : ""}`,
      ),
    ),
  );
}

function caseParts(item: ActivityContentItem, t: Strings, locale: Locale): SafeHtml {
  const d = item.document as unknown as CaseStudy;
  const costs = d.costs;
  return html`${section(t.problem, markdown(item, "/problem"))}${section(t.approach, markdown(item, "/approach"))}
${outcomes(d.outcomes, t, locale)}
${section(
  t.timeline,
  list(
    (d.timeline ?? []).map((m) => html`${str(m.date) ?? ""}: ${str(m.event) ?? ""}`),
    true,
  ),
)}
${section(
  t.costs,
  costs && num(costs.amount) !== undefined
    ? html`<p>${money(num(costs.amount)!, str(costs.currency), locale)}${str(costs.period) ? ` (${choice(locale, "costs.period", costs.period)})` : ""}${str(costs.note) ? `. ${costs.note}` : ""}</p>`
    : "",
)}
${section(t.lessons, list((d.lessons ?? []).map((x) => String(x))))}`;
}

function adoptionParts(item: ActivityContentItem, t: Strings, locale: Locale): SafeHtml {
  const d = item.document as unknown as Adoption;
  const label = (key: string) => formLabel(locale, "Adoption", key) ?? key;
  return html`${list([
    ...(str(d.case) ? [html`<strong>${label("case")}</strong>: <a href="${d.case}">${d.case}</a>`] : []),
    ...(str(d.status) ? [html`<strong>${label("status")}</strong>: ${choice(locale, "status", d.status)}`] : []),
  ])}
${section(label("adaptations"), list((d.adaptations ?? []).map((x) => String(x))))}
${outcomes(d.outcomes, t, locale)}
${section(t.lessons, list((d.lessons ?? []).map((x) => String(x))))}`;
}

function pathwayParts(item: ActivityContentItem, t: Strings, locale: Locale): SafeHtml {
  const d = item.document as unknown as Pathway;
  const prerequisites = d.prerequisites ?? [];
  const kinds = [...new Set(prerequisites.map((p) => p.kind))];
  const cost = d.costRange;
  return html`${str(d.case) ? html`<p>${t.adopts}: <a href="${d.case}">${d.case}</a></p>` : ""}
${section(
  t.prerequisites,
  kinds.length > 0 &&
    html`${kinds.map(
      (kind) =>
        html`<h3>${choice(locale, "prerequisites.kind", kind)}</h3>${list(
          prerequisites
            .filter((p) => p.kind === kind)
            .map(
              (p) =>
                html`<strong>${p.level === "required" ? t.required : t.recommended}</strong>: ${str(p.description) ?? ""}`,
            ),
        )}`,
    )}`,
)}
${section(
  t.phases,
  list(
    (d.phases ?? []).map((ph) => {
      const duration = ph.duration && num(ph.duration.min) !== undefined ? ph.duration : undefined;
      const range = duration
        ? duration.min === duration.max
          ? `${duration.min}`
          : `${duration.min}–${duration.max}`
        : "";
      return html`<strong>${str(ph.name) ?? ""}</strong>${duration ? ` (${t.duration}: ${range} ${choice(locale, "phases.duration.unit", duration.unit)})` : ""}${list(
        ph.steps.map((s) => html`${str(s.title) ?? ""}${str(s.description) ? ` — ${s.description}` : ""}`),
        true,
      )}`;
    }),
    true,
  ),
)}
${section(t.challenges, list((d.challenges ?? []).map((c) => html`${str(c.challenge) ?? ""} — ${str(c.mitigation) ?? ""}`)))}
${section(
  t.costRange,
  cost &&
    num(cost.min) !== undefined &&
    html`<p>${money(num(cost.min)!, str(cost.currency), locale)} – ${money(num(cost.max) ?? num(cost.min)!, str(cost.currency), locale)}${str(cost.note) ? `. ${cost.note}` : ""}</p>`,
)}
${section(
  t.readiness,
  list((d.readiness ?? []).map((r) => html`${str(r.question) ?? ""} (${t.weight} ${num(r.weight) ?? 0})`)),
)}`;
}

function datasetParts(item: ActivityContentItem, t: Strings, locale: Locale): SafeHtml {
  const d = item.document as unknown as Dataset;
  const facts = [
    str(d.publisher?.name) && html`<strong>${t.publisher}</strong>: ${d.publisher!.name}`,
    str(d.accrualPeriodicity) &&
      html`<strong>${t.accrualPeriodicity}</strong>: ${choice(locale, "accrualPeriodicity", d.accrualPeriodicity)}`,
    (d.keywords ?? []).length > 0 && html`<strong>${t.keywords}</strong>: ${(d.keywords ?? []).join(", ")}`,
  ].filter((x): x is SafeHtml => !!x);
  return html`${list(facts)}
${section(
  t.distributions,
  list(
    (d.distributions ?? []).map((x, i) => {
      const name = str(x.title) ?? `${t.distributions} ${i + 1}`;
      const href = str(x.downloadURL) ?? str(x.accessURL);
      const about = [
        str(x.format),
        num(x.byteSize) !== undefined ? `${num(x.byteSize)!.toLocaleString(locale)} B` : undefined,
      ]
        .filter(Boolean)
        .join(", ");
      return html`${href ? html`<a href="${href}">${name}</a>` : name}${about ? ` (${about})` : ""}`;
    }),
  ),
)}`;
}

/**
 * The `content` of an item's Article in one language: the item's own language, or one of
 * its translations (`language`), whose summary and body stand in for the original's.
 */
export function renderActivityContent(item: ActivityContentItem, language?: string): string {
  const d = item.document;
  const own = str(d.language) ?? "en";
  const lang = language ?? own;
  const translation =
    lang !== own ? ((d.translations as Record<string, Record<string, unknown>> | undefined)?.[lang] ?? {}) : {};
  const locale: Locale = lang.toLowerCase().startsWith("ko") ? "ko" : "en";
  const t = stringsFor(locale);
  const summary = str(translation.summary) ?? str(d.summary) ?? "";
  const body = lang !== own ? markdown(item, `/translations/${lang}/body`) : markdown(item, "/body");
  const parts =
    d.type === "CaseStudy"
      ? caseParts(item, t, locale)
      : d.type === "Pathway"
        ? pathwayParts(item, t, locale)
        : d.type === "Dataset"
          ? datasetParts(item, t, locale)
          : d.type === "Adoption"
            ? adoptionParts(item, t, locale)
            : "";
  const out = html`<p><strong>${summary}</strong></p>
${body}
${parts}
<p><a href="${item.id}">${fill(t.activityReadOn, { site: t.siteName })}</a></p>`;
  return sanitizeHtml(out.value, ALLOWED);
}

/** The HTML of a city's fediverse profile: its summary and its profile fields (name, value). */
export interface CityProfileHtml {
  readonly summary: string;
  readonly fields: readonly { readonly name: string; readonly value: string }[];
}

/**
 * A city actor's profile as fediverse software shows it (in English, the lingua franca of
 * WeGO's network): a one-line summary that links to its library, and fields for its
 * website and the year it joined WeGO (each only when known).
 */
export function renderCityProfile(city: {
  readonly name: string;
  readonly libraryUrl: string;
  readonly website?: string;
  readonly memberSince?: string;
}): CityProfileHtml {
  const t = stringsFor("en");
  const link = (href: string) =>
    html`<a href="${href}" rel="me nofollow noopener" target="_blank">${href.replace(/^https?:\/\//, "").replace(/\/$/, "")}</a>`;
  const fields = [
    { name: t.profileWebsite, value: link(city.website ?? city.libraryUrl).value },
    ...(city.memberSince ? [{ name: t.profileMemberSince, value: city.memberSince }] : []),
  ];
  return {
    summary: html`<p>${fill(t.profileSummary, { city: city.name })}</p><p>${link(city.libraryUrl)}</p>`.value,
    fields,
  };
}
