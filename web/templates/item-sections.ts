import type {
  CaseStudy,
  Dataset,
  LinkRelation,
  Pathway,
  PrerequisiteKind,
  PrerequisiteLevel,
} from "../../node/library/documents.generated.ts";
import { html, type SafeHtml } from "../html.ts";
import type { Strings } from "../i18n.ts";
import { formLabel } from "../forms/form-text.ts";
import { bothWays, fact, itemLink, str, type OutgoingLink, type SectionContext } from "./item-parts.ts";
import { choice, money, num, renderChallenges, renderCostRange, renderPhases } from "./pathway-parts.ts";

/** A byte count for people: 1.2 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

function heading(id: string, text: string): SafeHtml {
  return html`<h2 id="${id}">${text}</h2>`;
}

/** The document's links of one relation, as {@link bothWays} lists them. */
function linksOf(ctx: SectionContext, rel: LinkRelation): OutgoingLink[] {
  return (ctx.d.links ?? []).filter((l) => l.rel === rel).map((l) => ({ href: l.href, title: str(l.title) }));
}

/** Every id the document links to: the items a "link here" list need not repeat. */
function linkedIds(ctx: SectionContext): string[] {
  return (ctx.d.links ?? []).map((l) => l.href);
}

/** Items of `types` that link to this one and are shown nowhere else on the page, under one heading. */
function linkingHere(ctx: SectionContext, types: readonly string[], alsoShown: readonly string[]): SafeHtml | "" {
  const list = bothWays(ctx, [], types, alsoShown);
  return list ? html`${heading("linking-h", ctx.frame.t.linkingHere)}${list}` : "";
}

function otherLinks(ctx: SectionContext, t: Strings): SafeHtml | "" {
  const links = (ctx.d.links ?? []).filter((l) => l.rel === "source" || l.rel === "related");
  if (links.length === 0) return "";
  return html`${heading("links-h", t.links)}<ul>${links.map((l) => html`<li>${itemLink(ctx, l.href, str(l.title))}</li>`)}</ul>`;
}

/** The sections of a case study: problem, approach, body, outcomes, timeline, people, technology, links. */
export function renderCaseSections(ctx: SectionContext<CaseStudy>): SafeHtml {
  const { t, locale } = ctx.frame;
  const { d } = ctx;
  const outcomes = d.outcomes ?? [];
  // A column no outcome fills is left out: an empty, narrow one wraps its header ("Ye/ar").
  const outcomeYears = outcomes.some((o) => num(o.year) !== undefined);
  const timeline = d.timeline ?? [];
  const stakeholders = d.stakeholders ?? [];
  const technologies = d.technologies ?? [];
  const lessons = d.lessons ?? [];
  const { costs, contact } = d;
  const years = [num(d.startYear), num(d.endYear)].filter((y) => y !== undefined).join("–");
  // Both ends: what this case links to, and the items of that kind that name it.
  const pathways = bothWays(ctx, linksOf(ctx, "pathway"), ["Pathway"]);
  const datasets = bothWays(ctx, linksOf(ctx, "dataset"), ["Dataset"]);
  const cases = bothWays(ctx, linksOf(ctx, "case"), ["CaseStudy"]);
  const adoptions = bothWays(ctx, [], ["Adoption"]);
  return html`<dl class="facts">
  ${fact(t.status, choice(locale, "status", d.status))}
  ${fact(t.period, years)}
  ${d.adaptedFrom ? fact(t.adaptedFrom, itemLink(ctx, d.adaptedFrom)) : ""}
  ${fact(formLabel(locale, "CaseStudy", "sdgs") ?? "SDGs", (d.sdgs ?? []).map((n) => choice(locale, "sdgs", String(n))).join(", "))}
</dl>
${ctx.markdown("/problem") ? html`${heading("problem-h", t.problem)}${ctx.markdown("/problem")}` : ""}
${ctx.markdown("/approach") ? html`${heading("approach-h", t.approach)}${ctx.markdown("/approach")}` : ""}
${ctx.markdown("/body")}
${
  outcomes.length
    ? html`${heading("outcomes-h", t.outcomes)}<div class="table-wrap"><table class="stack">
<thead><tr><th scope="col">${t.metric}</th><th scope="col">${t.value}</th>${outcomeYears ? html`<th scope="col">${t.year}</th>` : ""}<th scope="col">${t.source}</th></tr></thead>
<tbody>${outcomes.map(
        (o) =>
          html`<tr><td data-label="${t.metric}">${str(o.metric) ?? ""}</td><td data-label="${t.value}">${typeof o.value === "number" ? o.value.toLocaleString(locale) : o.value}${str(o.unit) ? ` ${o.unit}` : ""}</td>${outcomeYears ? html`<td data-label="${t.year}">${num(o.year) ?? ""}</td>` : ""}<td data-label="${t.source}">${str(o.source) ?? ""}</td></tr>`,
      )}</tbody></table></div>`
    : ""
}
${
  timeline.length
    ? html`${heading("timeline-h", t.timeline)}<ol class="timeline">${timeline.map((m) => html`<li><time datetime="${str(m.date) ?? ""}">${str(m.date) ?? ""}</time> ${str(m.event) ?? ""}</li>`)}</ol>`
    : ""
}
${
  stakeholders.length
    ? html`${heading("stakeholders-h", t.stakeholders)}<ul>${stakeholders.map(
        (s) =>
          html`<li><strong>${str(s.name) ?? ""}</strong>${str(s.sector) ? html` <span class="badge">${choice(locale, "stakeholders.sector", s.sector) ?? ""}</span>` : ""}${str(s.role) ? html` — ${s.role}` : ""}</li>`,
      )}</ul>`
    : ""
}
${technologies.length ? html`${heading("tech-h", t.technologies)}<ul class="chips">${technologies.map((x) => html`<li>${x}</li>`)}</ul>` : ""}
${
  costs && num(costs.amount) !== undefined
    ? html`${heading("costs-h", t.costs)}<p>${money(num(costs.amount)!, str(costs.currency), locale)}${str(costs.period) ? ` (${(choice(locale, "costs.period", costs.period) ?? "").toLocaleLowerCase(locale)})` : ""}${str(costs.note) ? html`. ${costs.note}` : ""}</p>`
    : ""
}
${lessons.length ? html`${heading("lessons-h", t.lessons)}<ul>${lessons.map((x) => html`<li>${x}</li>`)}</ul>` : ""}
${pathways ? html`${heading("pathways-h", t.relatedPathways)}${pathways}` : ""}
${datasets ? html`${heading("datasets-h", t.relatedDatasets)}${datasets}` : ""}
${cases ? html`${heading("cases-h", t.relatedCases)}${cases}` : ""}
${ctx.adoptedBy ? ctx.adoptedBy : adoptions ? html`${heading("adoptions-h", t.adoptionsOfCase)}${adoptions}` : ""}
${otherLinks(ctx, t)}
${
  contact && (str(contact.name) || str(contact.email) || str(contact.url))
    ? html`${heading("contact-h", t.contact)}<p>${str(contact.name) ?? ""}${str(contact.email) ? html` · <a href="mailto:${contact.email}">${contact.email}</a>` : ""}${str(contact.url) ? html` · <a href="${contact.url}">${contact.url}</a>` : ""}</p>`
    : ""
}`;
}

const PREREQUISITE_KINDS: readonly PrerequisiteKind[] = [
  "infrastructure",
  "legal",
  "leadership",
  "organisational",
  "financial",
  "skills",
  "data",
];

/** The sections of a pathway: the case it adopts, prerequisites by kind, phases, challenges, costs, readiness. */
export function renderPathwaySections(ctx: SectionContext<Pathway>): SafeHtml {
  const { t, locale } = ctx.frame;
  const { d } = ctx;
  const prerequisites = d.prerequisites ?? [];
  const kinds = [...new Set([...PREREQUISITE_KINDS, ...prerequisites.map((p) => p.kind)])].filter((k) =>
    prerequisites.some((p) => p.kind === k),
  );
  const phases = d.phases ?? [];
  const challenges = d.challenges ?? [];
  const cost = d.costRange;
  const readiness = d.readiness ?? [];
  const suited = d.suitedFor;
  const datasets = bothWays(ctx, linksOf(ctx, "dataset"), ["Dataset"]);
  return html`${str(d.case) ? html`<p class="notice">${t.adopts}: ${itemLink(ctx, d.case)}</p>` : ""}
${ctx.markdown("/body")}
${
  prerequisites.length
    ? html`${heading("prereq-h", t.prerequisites)}${kinds.map((kind) => {
        const group = prerequisites.filter((p) => p.kind === kind);
        const level = (l: PrerequisiteLevel, label: string) => {
          const items = group.filter((p) => p.level === l);
          return items.length
            ? html`<p class="row-legend">${label}</p><ul class="checklist">${items.map((p) => html`<li>${str(p.description) ?? ""}</li>`)}</ul>`
            : "";
        };
        return html`<h3>${choice(locale, "prerequisites.kind", kind)}</h3>${level("required", t.required)}${level("recommended", t.recommended)}`;
      })}`
    : ""
}
${renderPhases(t, locale, phases)}
${renderChallenges(t, challenges)}
${renderCostRange(t, locale, cost)}
${
  readiness.length
    ? html`${heading("readiness-h", t.readiness)}<p class="hint">${t.readinessHelp}</p><ul class="readiness" aria-labelledby="readiness-h">${readiness.map(
        (r) => html`<li>${str(r.question) ?? ""} <small>(${t.weight} ${num(r.weight) ?? 0})</small></li>`,
      )}</ul>`
    : ""
}
${
  suited && Object.keys(suited).length
    ? html`${heading("suited-h", t.suitedFor)}<dl class="facts">
  ${fact(
    t.population,
    [num(suited.populationMin), num(suited.populationMax)]
      .filter((x) => x !== undefined)
      .map((x) => x!.toLocaleString(locale))
      .join(" – "),
  )}
  ${fact(
    formLabel(locale, "Pathway", "suitedFor.incomeLevels") ?? "Income levels",
    (suited.incomeLevels ?? []).map((level) => choice(locale, "suitedFor.incomeLevels", level)),
  )}
  ${fact(formLabel(locale, "Pathway", "suitedFor.regions") ?? "Regions", suited.regions ?? [])}
</dl>${str(suited.note) ? html`<p>${suited.note}</p>` : ""}`
    : ""
}
${datasets ? html`${heading("datasets-h", t.relatedDatasets)}${datasets}` : ""}
${otherLinks(ctx, t)}
${linkingHere(ctx, ["CaseStudy", "Pathway", "Adoption"], [...(str(d.case) ? [d.case] : []), ...linkedIds(ctx)])}`;
}

/** The sections of a dataset: DCAT metadata, distributions with download links, related cases. */
export function renderDatasetSections(ctx: SectionContext<Dataset>): SafeHtml {
  const { t, locale } = ctx.frame;
  const { d } = ctx;
  const { publisher, temporal, contactPoint } = d;
  const distributions = d.distributions;
  const related = d.relatedCases ?? [];
  const caseLinks = (d.links ?? []).filter((l) => l.rel === "case" && !related.includes(l.href));
  const cases = bothWays(
    ctx,
    [...related.map((href) => ({ href })), ...caseLinks.map((l) => ({ href: l.href, title: str(l.title) }))],
    ["CaseStudy"],
  );
  return html`${heading("meta-h", t.metadata)}
<dl class="facts">
  ${fact(t.publisher, publisher ? (str(publisher.url) ? html`<a href="${publisher.url}">${str(publisher.name) ?? ""}</a>` : str(publisher.name)) : "")}
  ${fact(t.keywords, d.keywords ?? [])}
  ${fact(t.issued, str(d.issued))}
  ${fact(t.modified, str(d.modified))}
  ${fact(t.accrualPeriodicity, choice(locale, "accrualPeriodicity", d.accrualPeriodicity))}
  ${fact(t.spatial, str(d.spatial))}
  ${fact(t.temporal, temporal ? [str(temporal.start), str(temporal.end)].filter(Boolean).join(" – ") : "")}
  ${fact(t.contact, contactPoint ? [str(contactPoint.name), str(contactPoint.email)].filter(Boolean).join(" · ") : "")}
  ${fact(t.landingPage, str(d.landingPage) ? html`<a href="${d.landingPage}">${d.landingPage}</a>` : "")}
</dl>
${ctx.markdown("/body")}
${heading("dist-h", t.distributions)}
<div class="table-wrap"><table class="stack">
<thead><tr><th scope="col">${t.distributions}</th><th scope="col">${t.format}</th><th scope="col">${t.size}</th><th scope="col">${t.download}</th></tr></thead>
<tbody>${distributions.map((x, i) => {
    const name = str(x.title) ?? `${t.distributions} ${i + 1}`;
    const { checksum } = x;
    return html`<tr><td data-label="${t.distributions}">${name}${checksum ? html`<br><small>${t.checksum} ${str(checksum.algorithm) ?? ""}: <code>${(str(checksum.value) ?? "").slice(0, 16)}…</code></small>` : ""}</td>
<td data-label="${t.format}">${str(x.format) ?? ""}${str(x.mediaType) ? html` <small>(${x.mediaType})</small>` : ""}</td>
<td data-label="${t.size}">${num(x.byteSize) !== undefined ? formatBytes(num(x.byteSize)!) : ""}</td>
<td data-label="${t.download}">${str(x.downloadURL) ? html`<a href="${x.downloadURL}" download>${t.download}<span class="visually-hidden"> ${name}</span></a>` : ""}${str(x.accessURL) ? html` <a href="${x.accessURL}">${t.access}<span class="visually-hidden"> ${name}</span></a>` : ""}</td></tr>`;
  })}</tbody></table></div>
${cases ? html`${heading("cases-h", t.relatedCases)}${cases}` : ""}
${otherLinks(ctx, t)}
${linkingHere(ctx, ["Pathway", "Dataset", "Adoption"], [...related, ...linkedIds(ctx)])}`;
}
