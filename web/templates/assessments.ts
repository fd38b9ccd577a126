import { html, type SafeHtml } from "../html.ts";
import { fill } from "../i18n.ts";
import { renderLayout, type PageFrame } from "./layout.ts";
import type { ScorePoint } from "./assess-parts.ts";

/** One saved assessment in the list. */
export interface AssessmentEntry {
  readonly href: string;
  readonly pathwayTitle: string;
  readonly city?: string;
  readonly score: number | null;
  readonly ready: boolean;
  readonly requiredGaps: number;
  readonly updatedAt: string;
}

const CHART = { width: 320, height: 90, pad: 8 };

/**
 * The score at each save, as a small line chart (server-drawn SVG, its points labelled for
 * screen readers through the table beside it) and a table that says the same.
 */
export function renderScoreHistory(frame: PageFrame, history: readonly ScorePoint[]): SafeHtml {
  const { t } = frame;
  const scored = history.filter((h) => h.score !== null);
  const { width, height, pad } = CHART;
  const x = (i: number) => (scored.length < 2 ? width / 2 : pad + (i * (width - 2 * pad)) / (scored.length - 1));
  const y = (score: number) => height - pad - (score * (height - 2 * pad)) / 100;
  const points = scored.map((h, i) => `${x(i).toFixed(1)},${y(h.score!).toFixed(1)}`).join(" ");
  const first = history[0]?.savedAt.slice(0, 10) ?? "";
  const last = history.at(-1)?.savedAt.slice(0, 10) ?? "";
  const label = fill(t.scoreChartLabel, { first, last });
  return html`<section class="history" aria-labelledby="history-h">
<h2 id="history-h">${t.scoreHistory}</h2>
${
  scored.length
    ? html`<svg class="sparkline" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="history-chart-title"><title id="history-chart-title">${label}: ${scored.map((h) => h.score).join(", ")}</title>
<line x1="${pad}" x2="${width - pad}" y1="${y(0)}" y2="${y(0)}" class="axis"></line><line x1="${pad}" x2="${width - pad}" y1="${y(100)}" y2="${y(100)}" class="axis"></line>
${scored.length > 1 ? html`<polyline points="${points}" class="line"></polyline>` : ""}
${scored.map((h, i) => html`<circle cx="${x(i).toFixed(1)}" cy="${y(h.score!).toFixed(1)}" r="3.5" class="${h.ready ? "dot ready" : "dot"}"></circle>`)}
</svg>`
    : ""
}
<div class="table-wrap"><table class="stack"><caption class="visually-hidden">${label}</caption>
<thead><tr><th scope="col">${t.historySaved}</th><th scope="col">${t.historyScore}</th><th scope="col">${t.historyReady}</th><th scope="col">${t.historyRequiredGaps}</th></tr></thead>
<tbody>${history.map(
    (h) =>
      html`<tr><td data-label="${t.historySaved}"><time datetime="${h.savedAt}">${h.savedAt.slice(0, 16).replace("T", " ")}</time></td><td data-label="${t.historyScore}">${h.score ?? "—"}</td><td data-label="${t.historyReady}">${h.ready ? t.yes : t.no}</td><td data-label="${t.historyRequiredGaps}">${h.requiredGaps}</td></tr>`,
  )}</tbody></table></div>
</section>`;
}

/** "My assessments": an official's saved assessments, most recently saved first. */
export function renderAssessmentsPage(frame: PageFrame, entries: readonly AssessmentEntry[]): string {
  const { t } = frame;
  return renderLayout(
    frame,
    html`<h1>${t.myAssessments}</h1>
<p>${t.myAssessmentsIntro}</p>
${
  entries.length === 0
    ? html`<p class="notice">${t.myAssessmentsEmpty}</p>`
    : html`<div class="table-wrap"><table class="stack">
<thead><tr><th scope="col">${t.pathway}</th><th scope="col">${t.assessCityName}</th><th scope="col">${t.historyScore}</th><th scope="col">${t.historyReady}</th><th scope="col">${t.lastSaved}</th></tr></thead>
<tbody>${entries.map(
        (e) =>
          html`<tr><td data-label="${t.pathway}"><a href="${e.href}">${e.pathwayTitle}</a></td><td data-label="${t.assessCityName}">${e.city ?? ""}</td><td data-label="${t.historyScore}">${e.score ?? "—"}</td><td data-label="${t.historyReady}">${e.ready ? t.yes : fill(t.reportNotReady, { n: e.requiredGaps })}</td><td data-label="${t.lastSaved}"><time datetime="${e.updatedAt}">${e.updatedAt.slice(0, 10)}</time></td></tr>`,
      )}</tbody></table></div>`
}`,
  );
}
