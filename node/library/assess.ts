import type { Pathway, PrerequisiteKind, PrerequisiteLevel } from "./documents.generated.ts";
import type { ValidationIssue } from "./validation.ts";

/** A city's answer to one readiness question of a pathway. */
export type ReadinessAnswer = "yes" | "partly" | "no";

/** How far a city meets one prerequisite of a pathway. */
export type PrerequisiteStatus = "met" | "partly" | "unmet" | "unknown";

export const READINESS_ANSWERS: readonly ReadinessAnswer[] = ["yes", "partly", "no"];
export const PREREQUISITE_STATUSES: readonly PrerequisiteStatus[] = ["met", "partly", "unmet", "unknown"];

/** What a readiness answer counts for in the score. */
const ANSWER_VALUE: Readonly<Record<ReadinessAnswer, number>> = { yes: 1, partly: 0.5, no: 0 };

/** A city's answers: one per readiness question and one per prerequisite, in the pathway's order. */
export interface AssessmentAnswers {
  readonly readiness: readonly ReadinessAnswer[];
  readonly prerequisites: readonly PrerequisiteStatus[];
}

/** A prerequisite the city does not (yet) meet. */
export interface Gap {
  /** Its position in the pathway's prerequisites, from 0. */
  readonly index: number;
  readonly kind: PrerequisiteKind;
  readonly level: PrerequisiteLevel;
  readonly description: string;
  readonly status: Exclude<PrerequisiteStatus, "met">;
}

/** The outcome of an assessment (see ../shared/DESIGN.md, "Adoption"). */
export interface Assessment {
  /**
   * round(100 · Σ wᵢ·vᵢ / Σ wᵢ) over the readiness questions (v = 1 yes, 0.5 partly, 0 no);
   * null when the pathway has no question with a weight above 0, so nothing can be scored.
   */
  readonly score: number | null;
  /** True only when every required prerequisite is met. */
  readonly ready: boolean;
  /** Every prerequisite not met: the required ones first, each group in the pathway's order. */
  readonly gaps: readonly Gap[];
}

/**
 * Reads a body's answers against the pathway they answer: each must be an array with one
 * known answer per entry of the pathway, in order. Returns the problems, one per path, or none.
 */
export function checkAnswers(
  pathway: Pick<Pathway, "readiness" | "prerequisites">,
  body: { readonly readiness?: unknown; readonly prerequisites?: unknown },
):
  | { readonly ok: true; readonly answers: AssessmentAnswers }
  | { readonly ok: false; readonly details: ValidationIssue[] } {
  const details: ValidationIssue[] = [];
  const read = <T extends string>(
    field: "readiness" | "prerequisites",
    allowed: readonly T[],
    expected: number,
  ): T[] => {
    const value = body[field] ?? [];
    if (!Array.isArray(value)) {
      details.push({ path: `/${field}`, message: `must be an array of ${allowed.map((a) => `"${a}"`).join(", ")}` });
      return [];
    }
    if (value.length !== expected)
      details.push({
        path: `/${field}`,
        message: `must have ${expected} answer${expected === 1 ? "" : "s"}, one for each entry of the pathway's ${field}, in order (got ${value.length})`,
      });
    value.slice(0, expected).forEach((answer, i) => {
      if (!allowed.includes(answer as T))
        details.push({ path: `/${field}/${i}`, message: `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}` });
    });
    return value as T[];
  };
  const readiness = read("readiness", READINESS_ANSWERS, pathway.readiness?.length ?? 0);
  const prerequisites = read("prerequisites", PREREQUISITE_STATUSES, pathway.prerequisites?.length ?? 0);
  return details.length > 0 ? { ok: false, details } : { ok: true, answers: { readiness, prerequisites } };
}

/** Scores a city's answers to a pathway; the answers must have passed {@link checkAnswers}. */
export function assess(pathway: Pick<Pathway, "readiness" | "prerequisites">, answers: AssessmentAnswers): Assessment {
  const questions = pathway.readiness ?? [];
  let weights = 0;
  let earned = 0;
  questions.forEach((q, i) => {
    weights += q.weight;
    earned += q.weight * ANSWER_VALUE[answers.readiness[i]!];
  });
  const prerequisites = pathway.prerequisites ?? [];
  const open = prerequisites.flatMap((p, index): Gap[] => {
    const status = answers.prerequisites[index]!;
    return status === "met" ? [] : [{ index, kind: p.kind, level: p.level, description: p.description, status }];
  });
  const gaps = [...open.filter((g) => g.level === "required"), ...open.filter((g) => g.level !== "required")];
  return {
    score: weights > 0 ? Math.round((100 * earned) / weights) : null,
    ready: !gaps.some((g) => g.level === "required"),
    gaps,
  };
}
