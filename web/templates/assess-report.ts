import type { Assessment, Gap } from "../../node/library/assess.ts";
import { html, type SafeHtml } from "../html.ts";
import { fill, type Strings } from "../i18n.ts";
import type { PageFrame } from "./layout.ts";
import { fact, str } from "./item-parts.ts";
import { choice, num, renderChallenges, renderCostRange, renderPhases } from "./pathway-parts.ts";
import { answerLabel, statusLabel, type AssessView } from "./assess-parts.ts";

function gapList(frame: PageFrame, gaps: readonly Gap[], notes: readonly string[]): SafeHtml {
  const { t, locale } = frame;
  return html`<ol class="gaps">${gaps.map(
    (g) => html`<li><p><strong>${g.description}</strong></p>
<p class="meta"><span class="badge">${choice(locale, "prerequisites.kind", g.kind)}</span> <span class="gap-status gap-${g.status}">${statusLabel(t, g.status)}</span></p>
${notes[g.index] ? html`<p class="gap-note"><span class="row-legend">${t.reportYourNote}:</span> ${notes[g.index]}</p>` : ""}</li>`,
  )}</ol>`;
}

function verdict(t: Strings, result: Assessment): SafeHtml {
  const required = result.gaps.filter((g) => g.level === "required").length;
  return html`<div class="verdict ${result.ready ? "is-ready" : "not-ready"}">
${
  result.score === null
    ? html`<p>${t.reportNoScore}</p>`
    : html`<p class="score"><span id="score-label">${t.reportScore}</span> <strong>${fill(t.reportScoreOf, { score: result.score })}</strong></p>
<meter min="0" max="100" low="50" high="80" optimum="100" value="${result.score}" aria-labelledby="score-label">${result.score}</meter>`
}
<p class="verdict-text"><strong>${result.ready ? t.reportReady : fill(t.reportNotReady, { n: required })}</strong></p>
</div>`;
}

/** The gap report: score and verdict, the gaps (required first), weak answers, phases, challenges, cost, similar cities. */
export function renderAssessReport(frame: PageFrame, view: AssessView & { readonly result: Assessment }): SafeHtml {
  const { t, locale } = frame;
  const { result, values, pathway } = view;
  const d = pathway.document;
  const required = result.gaps.filter((g) => g.level === "required");
  const recommended = result.gaps.filter((g) => g.level !== "required");
  const weak = (d.readiness ?? []).flatMap((q, i) => {
    const a = values.readiness[i];
    return a && a !== "yes" ? [{ question: q.question, weight: num(q.weight) ?? 0, answer: a }] : [];
  });
  const p = values.profile;
  const date = view.saved?.updatedAt.slice(0, 10);
  return html`<section class="report" aria-labelledby="report-h">
<h2 id="report-h">${t.reportTitle}${p.name ? html` · ${p.name}` : ""}</h2>
<p class="meta">${date ? fill(t.reportSavedMeta, { date, version: pathway.version }) : fill(t.reportMeta, { version: pathway.version })}</p>
${
  Object.values(p).some((v) => v !== undefined && v !== "")
    ? html`<dl class="facts">
  ${fact(t.assessCityName, p.name)}
  ${fact(t.assessPopulation, p.population?.toLocaleString(locale))}
  ${fact(t.assessIncome, choice(locale, "suitedFor.incomeLevels", p.incomeLevel))}
  ${fact(t.assessRegion, p.region)}
  ${fact(t.assessLanguages, p.languages)}
  ${fact(t.assessSystems, p.systems)}
</dl>`
    : ""
}
${verdict(t, result)}
<h2 id="gaps-h">${t.reportGaps}</h2>
${result.gaps.length === 0 ? html`<p>${t.reportNoGaps}</p>` : ""}
${required.length ? html`<h3>${t.reportGapsRequired}</h3>${gapList(frame, required, values.notes)}` : ""}
${recommended.length ? html`<h3>${t.reportGapsRecommended}</h3>${gapList(frame, recommended, values.notes)}` : ""}
${
  weak.length
    ? html`<h3>${t.reportWeakAnswers}</h3><ul class="weak">${weak.map(
        (w) =>
          html`<li>${str(w.question) ?? ""} — <strong>${answerLabel(t, w.answer)}</strong> <small>(${t.weight} ${w.weight})</small></li>`,
      )}</ul>`
    : ""
}
${renderPhases(t, locale, d.phases ?? [], { steps: false, title: t.reportPhasesAhead })}
${renderChallenges(t, d.challenges ?? [])}
${renderCostRange(t, locale, d.costRange)}
${
  view.similar
    ? html`<h2 id="similar-h">${t.reportSimilar}</h2>${
        view.similar.length
          ? html`<ul class="similar">${view.similar.map(
              (s) =>
                html`<li><a href="${s.href}">${s.city}</a> — ${s.status}${s.date ? html` (<time datetime="${s.date}">${s.date}</time>)` : ""}${s.population !== undefined ? html` · ${t.assessPopulation} ${s.population.toLocaleString(locale)}` : ""}${s.incomeLevel ? html` · ${choice(locale, "suitedFor.incomeLevels", s.incomeLevel)}` : ""} <span class="badge ok">${s.provenance}</span></li>`,
            )}</ul>`
          : html`<p>${t.reportSimilarNone}</p>`
      }`
    : ""
}
${view.shareHref ? html`<p class="share no-print"><a href="${view.shareHref}">${t.reportShare}</a></p>` : ""}
<p class="hint no-print">${t.reportPrintHint}</p>
</section>`;
}
