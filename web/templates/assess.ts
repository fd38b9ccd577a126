import type { IncomeLevel } from "../../node/library/documents.generated.ts";
import type { PrerequisiteStatus, ReadinessAnswer } from "../../node/library/assess.ts";
import type { CityProfile } from "../../node/library/assessments.ts";
import { html, type SafeHtml } from "../html.ts";
import { fill, type Strings } from "../i18n.ts";
import { csrfField, renderLayout, type PageFrame } from "./layout.ts";
import { str } from "./item-parts.ts";
import { choice, num } from "./pathway-parts.ts";
import { renderAssessReport } from "./assess-report.ts";
import { renderScoreHistory } from "./assessments.ts";
import { ANSWER_LABELS, STATUS_LABELS, type AssessView } from "./assess-parts.ts";

/** One radio group: a fieldset whose legend is the question, with an error when it lacks an answer. */
function radios<T extends string>(
  name: string,
  legend: SafeHtml,
  options: readonly [T, string][],
  value: T | undefined,
  missing: boolean,
  t: Strings,
  extra: SafeHtml | "" = "",
): SafeHtml {
  return html`<fieldset class="row choice${missing ? " invalid" : ""}" id="${name}"${missing ? html` aria-describedby="${name}-error"` : ""}>
<legend>${legend}</legend>
${missing ? html`<p class="error-message" id="${name}-error">${t.assessChooseOne}</p>` : ""}
<div class="checks inline">${options.map(
    ([v, label]) =>
      html`<label><input type="radio" name="${name}" value="${v}" required${v === value ? " checked" : ""}> ${label}</label>`,
  )}</div>${extra}
</fieldset>`;
}

const INCOME_LEVELS: readonly IncomeLevel[] = ["low", "lower-middle", "upper-middle", "high"];

function profileFields(frame: PageFrame, p: CityProfile): SafeHtml {
  const { t, locale } = frame;
  const input = (name: string, label: string, value: string | number | undefined, attrs: SafeHtml | "" = "") =>
    html`<div class="field"><label for="f-${name}">${label}</label><input id="f-${name}" name="${name}" value="${value ?? ""}"${attrs}></div>`;
  return html`<fieldset class="section"><legend class="section-title">${t.assessYourCity}</legend>
<div class="section-fields">
${input("city", t.assessCityName, p.name, html` autocomplete="address-level2" maxlength="200"`)}
${input("population", t.assessPopulation, p.population, html` inputmode="numeric" pattern="[0-9 ,.]*" maxlength="12"`)}
<div class="field"><label for="f-income">${t.assessIncome}</label><select id="f-income" name="income"><option value="">${t.assessIncomeNone}</option>${INCOME_LEVELS.map(
    (l) =>
      html`<option value="${l}"${p.incomeLevel === l ? " selected" : ""}>${choice(locale, "suitedFor.incomeLevels", l)}</option>`,
  )}</select></div>
${input("region", t.assessRegion, p.region, html` maxlength="200"`)}
${input("languages", t.assessLanguages, p.languages, html` maxlength="200"`)}
<div class="field"><label for="f-systems">${t.assessSystems}</label><p class="hint" id="f-systems-hint">${t.assessSystemsHint}</p><textarea id="f-systems" name="systems" rows="3" maxlength="1000" aria-describedby="f-systems-hint">${p.systems ?? ""}</textarea></div>
</div></fieldset>`;
}

/** The readiness form: the city profile, every prerequisite, every readiness question. */
function renderAssessForm(frame: PageFrame, view: AssessView): SafeHtml {
  const { t, locale } = frame;
  const { values, pathway } = view;
  const d = pathway.document;
  const missing = new Set(view.missing);
  const statuses = Object.entries(STATUS_LABELS(t)) as [PrerequisiteStatus, string][];
  const answers = Object.entries(ANSWER_LABELS(t)) as [ReadinessAnswer, string][];
  const prerequisites = d.prerequisites ?? [];
  const questions = d.readiness ?? [];
  return html`<form method="${view.form.method}" action="${view.form.action}" class="assess-form" novalidate>
${view.form.method === "post" ? csrfField(frame) : html`<input type="hidden" name="pathway" value="${pathway.id}">`}
${profileFields(frame, values.profile)}
${
  prerequisites.length
    ? html`<fieldset class="section"><legend class="section-title">${t.prerequisites}</legend>
<p class="hint">${t.assessPrerequisitesHelp}</p>
${prerequisites.map((p, i) =>
  radios(
    `p${i}`,
    html`${str(p.description) ?? ""} <span class="badge">${p.level === "required" ? t.required : t.recommended}</span> <span class="badge local">${choice(locale, "prerequisites.kind", p.kind)}</span>`,
    statuses,
    values.prerequisites[i],
    missing.has(`p${i}`),
    t,
    html`<div class="field note"><label for="f-n${i}">${t.assessNote}</label><input id="f-n${i}" name="n${i}" maxlength="1000" value="${values.notes[i] ?? ""}"></div>`,
  ),
)}</fieldset>`
    : ""
}
${
  questions.length
    ? html`<fieldset class="section"><legend class="section-title">${t.assessQuestions}</legend>
<p class="hint">${t.assessQuestionsHelp}</p>
${questions.map((q, i) =>
  radios(
    `r${i}`,
    html`${str(q.question) ?? ""} <small>(${t.weight} ${num(q.weight) ?? 0})</small>`,
    answers,
    values.readiness[i],
    missing.has(`r${i}`),
    t,
  ),
)}</fieldset>`
    : ""
}
<p><button type="submit">${view.form.method === "post" ? t.saveAssessmentUpdate : t.assessSubmit}</button></p>
</form>`;
}

/** The assessment page: the report when every question is answered, what is missing, and the form. */
export function renderAssessPage(frame: PageFrame, view: AssessView): string {
  const { t } = frame;
  const { pathway } = view;
  const labelOf = (name: string): string => {
    const i = Number(name.slice(1));
    const d = pathway.document;
    return (name.startsWith("p") ? d.prerequisites?.[i]?.description : d.readiness?.[i]?.question) ?? name;
  };
  const errors = view.missing.length
    ? html`<div class="alert error-summary" role="alert" tabindex="-1"><h2>${fill(t.assessMissing, { n: view.missing.length })}</h2>
<ul>${view.missing.map((name) => html`<li><a href="#${name}">${labelOf(name)}</a></li>`)}</ul></div>`
    : "";
  const saved = view.saved;
  return renderLayout(
    frame,
    html`<h1>${t.assessTitle}: ${pathway.title}</h1>
<p class="lede"><a href="${pathway.href}">${pathway.title}</a> · ${fill(t.assessFor, { city: pathway.signer })}</p>
${saved?.notice ? html`<p class="notice" role="note">${saved.notice}</p>` : ""}
${view.result === undefined ? html`<p class="no-print">${t.assessIntro}</p>` : ""}
${errors}
${view.result ? renderAssessReport(frame, { ...view, result: view.result }) : ""}
${saved?.history.length ? renderScoreHistory(frame, saved.history) : ""}
${
  saved?.adopt
    ? html`<section class="no-print adopt" aria-labelledby="adopt-h"><h2 id="adopt-h">${t.adoptFromAssessment}</h2><p>${t.adoptFromAssessmentHelp}</p>
<p><a class="button" href="${saved.adopt.href}">${t.adoptFromAssessment}</a>${saved.adopt.withScore ? html` <a class="button secondary" href="${saved.adopt.withScore}">${t.adoptFromAssessmentShared}</a>` : ""}</p></section>`
    : ""
}
${
  view.save && view.result
    ? html`<form method="post" action="${view.save.action}" class="no-print save-form">${csrfField(frame)}${view.save.fields.map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}<button type="submit">${t.saveAssessment}</button></form>`
    : ""
}
<section class="no-print" aria-labelledby="answers-h">
<h2 id="answers-h">${view.result ? t.reportChange : t.assessTitle}</h2>
${renderAssessForm(frame, view)}
</section>
${saved ? html`<form method="post" action="${saved.deleteAction}" class="no-print">${csrfField(frame)}<button type="submit" class="secondary">${t.assessmentDelete}</button></form>` : ""}`,
  );
}
