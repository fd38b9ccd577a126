// What a pathway's page (item-sections.ts) and a readiness report (assess-report.ts) both show:
// the phases, challenges and cost range, and the small formatters they use.
import type { Challenge, CostRange, Duration, Phase } from "../../node/library/documents.generated.ts";
import { html, type SafeHtml } from "../html.ts";
import type { Locale, Strings } from "../i18n.ts";
import { optionLabel } from "../forms/form-text.ts";
import { str } from "./item-parts.ts";

/** A finite number, if it is one. */
export function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** An amount in the reader's number format, in its currency when one is named. */
export function money(amount: number, currency: string | undefined, locale: string): string {
  try {
    return new Intl.NumberFormat(
      locale,
      currency ? { style: "currency", currency, maximumFractionDigits: 0 } : {},
    ).format(amount);
  } catch {
    return `${amount} ${currency ?? ""}`.trim();
  }
}

/** The reader's name for a value of a fixed choice (a status, a sector…), else the value. */
export function choice(locale: Locale, key: string, value: string): string;
export function choice(locale: Locale, key: string, value: unknown): string | undefined;
export function choice(locale: Locale, key: string, value: unknown): string | undefined {
  const text = str(value);
  return text === undefined ? undefined : (optionLabel(locale, key, text) ?? text);
}

/** "Duration: 2–4 months" in the reader's language, or "" without a duration. */
export function durationText(d: Duration | undefined, t: Strings, locale: Locale): string {
  if (!d || num(d.min) === undefined) return "";
  const range = d.min === d.max ? String(d.min) : `${String(d.min)}–${String(d.max)}`;
  const unit = (choice(locale, "phases.duration.unit", d.unit) ?? "").toLocaleLowerCase(locale);
  // "2–4 months", "2–4개월": Korean writes the counter against the number.
  return `${t.duration}: ${range}${unit && locale !== "ko" ? " " : ""}${unit}`.trim();
}

/** The phases of a pathway in order, each with its duration, deliverables and (unless told not to) steps. */
export function renderPhases(
  t: Strings,
  locale: Locale,
  phases: readonly Phase[],
  options: { readonly steps?: boolean; readonly title?: string } = {},
): SafeHtml | "" {
  if (phases.length === 0) return "";
  const steps = options.steps ?? true;
  return html`<h2 id="phases-h">${options.title ?? t.phases}</h2><ol class="phases">${phases.map(
    (ph, i) => html`<li><h3>${i + 1}. ${str(ph.name) ?? ""}</h3>
  ${durationText(ph.duration, t, locale) ? html`<p class="meta">${durationText(ph.duration, t, locale)}</p>` : ""}
  ${steps ? html`<ol>${ph.steps.map((s) => html`<li><strong>${str(s.title) ?? ""}</strong>${str(s.description) ? html` — ${s.description}` : ""}</li>`)}</ol>` : ""}
  ${ph.deliverables?.length ? html`<p class="row-legend">${t.deliverables}</p><ul>${ph.deliverables.map((x) => html`<li>${x}</li>`)}</ul>` : ""}
</li>`,
  )}</ol>`;
}

/** The known challenges of a pathway and their mitigations, as a table. */
export function renderChallenges(t: Strings, challenges: readonly Challenge[]): SafeHtml | "" {
  if (challenges.length === 0) return "";
  return html`<h2 id="challenges-h">${t.challenges}</h2><div class="table-wrap"><table class="stack"><thead><tr><th scope="col">${t.challenge}</th><th scope="col">${t.mitigation}</th></tr></thead>
<tbody>${challenges.map((c) => html`<tr><td data-label="${t.challenge}">${str(c.challenge) ?? ""}</td><td data-label="${t.mitigation}">${str(c.mitigation) ?? ""}</td></tr>`)}</tbody></table></div>`;
}

/** The cost range of a pathway, with its note. */
export function renderCostRange(t: Strings, locale: Locale, cost: CostRange | undefined): SafeHtml | "" {
  if (!cost || num(cost.min) === undefined) return "";
  return html`<h2 id="cost-h">${t.costRange}</h2><p>${money(num(cost.min)!, str(cost.currency), locale)} – ${money(num(cost.max) ?? num(cost.min)!, str(cost.currency), locale)}</p>${str(cost.note) ? html`<p>${cost.note}</p>` : ""}`;
}
