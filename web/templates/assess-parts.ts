import type { Pathway } from "../../node/library/documents.generated.ts";
import type { Assessment, PrerequisiteStatus, ReadinessAnswer } from "../../node/library/assess.ts";
import type { CityProfile } from "../../node/library/assessments.ts";
import type { Strings } from "../i18n.ts";

// What the assessment page (assess.ts) and its report (assess-report.ts) share.

/** A city with a profile like the assessing city's that adopted the pathway's case. */
export interface SimilarAdoption {
  readonly city: string;
  /** The adoption's page on this node. */
  readonly href: string;
  /** The adoption status, in the reader's words. */
  readonly status: string;
  readonly date?: string;
  readonly population?: number;
  readonly incomeLevel?: string;
  /** "Signed by X; the signature is valid." */
  readonly provenance: string;
}

/** One save of an assessment, as its history shows it. */
export interface ScorePoint {
  readonly savedAt: string;
  readonly score: number | null;
  readonly ready: boolean;
  readonly requiredGaps: number;
}

/** The readiness form as a visitor left it: answers may be missing. */
export interface AssessFormValues {
  readonly readiness: readonly (ReadinessAnswer | undefined)[];
  readonly prerequisites: readonly (PrerequisiteStatus | undefined)[];
  readonly notes: readonly string[];
  readonly profile: CityProfile;
}

/** The pathway an assessment answers. */
export interface AssessedPathway {
  readonly id: string;
  readonly href: string;
  readonly title: string;
  readonly version: number;
  /** Who signed it: this node's city or the peer's name. */
  readonly signer: string;
  readonly document: Pathway;
}

/** What the assessment page shows. */
export interface AssessView {
  readonly pathway: AssessedPathway;
  readonly values: AssessFormValues;
  /** Fields still without an answer, when the visitor submitted the form. */
  readonly missing: readonly string[];
  /** The score and gaps, when every question is answered. */
  readonly result?: Assessment;
  /** Cities with a profile like the visitor's that adopted the pathway's case. */
  readonly similar?: readonly SimilarAdoption[];
  /** The address of this report with every answer in it. */
  readonly shareHref?: string;
  /** Where the form goes: the public page (GET), or a saved assessment (POST, CSRF). */
  readonly form: { readonly action: string; readonly method: "get" | "post" };
  /** For a logged-in official: a form that saves the answers shown (hidden fields, CSRF). */
  readonly save?: { readonly action: string; readonly fields: readonly [string, string][] };
  /** For a saved assessment: when it was saved, its scores over time, its delete action, a notice. */
  readonly saved?: {
    readonly updatedAt: string;
    readonly history: readonly ScorePoint[];
    readonly deleteAction: string;
    readonly notice?: string;
    /** The new Adoption form, pre-filled from this assessment (without and with its score and gaps). */
    readonly adopt?: { readonly href: string; readonly withScore?: string };
  };
}

/** The reader's labels of the prerequisite statuses, in the form's order. */
export const STATUS_LABELS = (t: Strings): Record<PrerequisiteStatus, string> => ({
  met: t.prereqMet,
  partly: t.prereqPartly,
  unmet: t.prereqUnmet,
  unknown: t.prereqUnknown,
});
/** The reader's labels of the readiness answers, in the form's order. */
export const ANSWER_LABELS = (t: Strings): Record<ReadinessAnswer, string> => ({
  yes: t.answerYes,
  partly: t.answerPartly,
  no: t.answerNo,
});

/** The reader's label of a prerequisite status. */
export function statusLabel(t: Strings, status: PrerequisiteStatus): string {
  return STATUS_LABELS(t)[status];
}

/** The reader's label of a readiness answer. */
export function answerLabel(t: Strings, answer: ReadinessAnswer): string {
  return ANSWER_LABELS(t)[answer];
}
