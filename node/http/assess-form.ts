import type { IncomeLevel, Pathway } from "../library/documents.generated.ts";
import {
  PREREQUISITE_STATUSES,
  READINESS_ANSWERS,
  type PrerequisiteStatus,
  type ReadinessAnswer,
} from "../library/assess.ts";
import type { AssessmentInput, CityProfile } from "../library/assessments.ts";
import type { AssessFormValues } from "../../web/templates/assess-parts.ts";

// The readiness form's fields, as the assessment page's query string (a shareable URL: the
// anonymous visitor's answers are kept nowhere else) and as the officials' save forms post
// them: `r<i>` per readiness question, `p<i>` and `n<i>` (note) per prerequisite, and the
// city profile (`city`, `population`, `income`, `region`, `languages`, `systems`).

/** What a reading of the form found: its values, whether any answer was given, which fields lack one. */
export interface AssessFormReading {
  readonly values: AssessFormValues;
  /** True when the visitor answered at least one question: the page then shows a report or what is missing. */
  readonly submitted: boolean;
  /** Field names (`r0`, `p2`…) still without an answer, in the form's order (prerequisites first). */
  readonly missing: readonly string[];
  /** The answers, complete, when nothing is missing. */
  readonly input?: AssessmentInput;
}

const INCOME_LEVELS: readonly IncomeLevel[] = ["low", "lower-middle", "upper-middle", "high"];
/** Bounds of the free-text fields, in characters. */
const MAX_NOTE = 1000;
const MAX_LABEL = 200;
/** A city's population is at most this (the largest urban areas are under 40 million). */
const MAX_POPULATION = 100_000_000;

function one<T extends string>(allowed: readonly T[], value: string | undefined): T | undefined {
  return allowed.includes(value as T) ? (value as T) : undefined;
}

function text(value: string | undefined, max: number): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed.slice(0, max) : undefined;
}

/** Reads the assessment form of `pathway` from `read` (a query or a form body, first value of each name). */
export function readAssessForm(
  pathway: Pick<Pathway, "readiness" | "prerequisites">,
  read: (name: string) => string | undefined,
): AssessFormReading {
  const readiness = (pathway.readiness ?? []).map((_, i) => one(READINESS_ANSWERS, read(`r${i}`)));
  const prerequisites = (pathway.prerequisites ?? []).map((_, i) => one(PREREQUISITE_STATUSES, read(`p${i}`)));
  const notes = (pathway.prerequisites ?? []).map((_, i) => text(read(`n${i}`), MAX_NOTE) ?? "");
  const population = read("population")?.replace(/[\s,._]/g, "");
  const profile: CityProfile = {
    name: text(read("city"), MAX_LABEL),
    population:
      population && /^\d{1,9}$/.test(population) && Number(population) <= MAX_POPULATION
        ? Number(population)
        : undefined,
    incomeLevel: one(INCOME_LEVELS, read("income")),
    region: text(read("region"), MAX_LABEL),
    languages: text(read("languages"), MAX_LABEL),
    systems: text(read("systems"), MAX_NOTE),
  };
  const missing = [
    ...prerequisites.flatMap((a, i) => (a ? [] : [`p${i}`])),
    ...readiness.flatMap((a, i) => (a ? [] : [`r${i}`])),
  ];
  const values = { readiness, prerequisites, notes, profile };
  const submitted = [...readiness, ...prerequisites].some((a) => a !== undefined);
  return {
    values,
    submitted,
    missing,
    input:
      missing.length === 0
        ? {
            readiness: readiness as ReadinessAnswer[],
            prerequisites: prerequisites as PrerequisiteStatus[],
            notes,
            profile,
          }
        : undefined,
  };
}

/** The fields of a form's values, by name, as a query string or hidden fields carry them. */
export function assessFields(pathwayId: string, values: AssessFormValues): [string, string][] {
  const fields: [string, string][] = [["pathway", pathwayId]];
  values.prerequisites.forEach((a, i) => {
    if (a) fields.push([`p${i}`, a]);
    if (values.notes[i]) fields.push([`n${i}`, values.notes[i]!]);
  });
  values.readiness.forEach((a, i) => {
    if (a) fields.push([`r${i}`, a]);
  });
  const p = values.profile;
  const profile: [string, string | number | undefined][] = [
    ["city", p.name],
    ["population", p.population],
    ["income", p.incomeLevel],
    ["region", p.region],
    ["languages", p.languages],
    ["systems", p.systems],
  ];
  for (const [k, v] of profile) if (v !== undefined && v !== "") fields.push([k, String(v)]);
  return fields;
}

/** The shareable address of an assessment: the public page with every answer in its query. */
export function assessHref(pathwayId: string, values: AssessFormValues): string {
  return `/assess?${new URLSearchParams(assessFields(pathwayId, values))}`;
}
