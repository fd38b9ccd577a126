import { randomBytes } from "node:crypto";
import type { AssessmentRow, AssessmentStore, ScoreRow } from "../db/assessment-store.ts";
import type { IncomeLevel, Pathway } from "./documents.generated.ts";
import { assess, checkAnswers, type Assessment, type PrerequisiteStatus, type ReadinessAnswer } from "./assess.ts";
import type { Library, StoredItem } from "./library.ts";
import type { ValidationIssue } from "./validation.ts";

// Saved readiness assessments: an official's answers to a pathway, kept on their own node
// and private to them (never signed, indexed or federated), with the score of every save so
// the city sees it move as it makes progress. The score is always library/assess.ts's.

/** The city an assessment is about, in brief; every field optional. */
export interface CityProfile {
  readonly name?: string;
  readonly population?: number;
  readonly incomeLevel?: IncomeLevel;
  readonly region?: string;
  readonly languages?: string;
  /** Systems already in place (a resident portal, e-ID…), as the official wrote them. */
  readonly systems?: string;
}

/** What a city answered to a pathway: one answer per question and prerequisite, notes, its profile. */
export interface AssessmentInput {
  readonly readiness: readonly ReadinessAnswer[];
  readonly prerequisites: readonly PrerequisiteStatus[];
  /** A note per prerequisite ("" for none), in the pathway's order. */
  readonly notes: readonly string[];
  readonly profile: CityProfile;
}

/** A saved assessment as the pages show it. */
export interface SavedAssessment {
  readonly id: string;
  readonly pathwayId: string;
  readonly pathwayTitle: string;
  readonly pathwayVersion: number;
  readonly input: AssessmentInput;
  readonly score: number | null;
  readonly ready: boolean;
  readonly requiredGaps: number;
  readonly gaps: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Outcome of saving: the assessment, or why nothing was saved. */
export type SaveAssessmentResult =
  | { readonly ok: true; readonly id: string; readonly assessment: Assessment }
  | { readonly ok: false; readonly reason: "no-pathway" | "not-found" }
  | { readonly ok: false; readonly reason: "invalid"; readonly details: readonly ValidationIssue[] };

/** Options of {@link createAssessments}. */
export interface AssessmentsOptions {
  readonly store: AssessmentStore;
  readonly library: Pick<Library, "get">;
  readonly now?: () => Date;
}

/** The saved-assessments service. */
export interface Assessments {
  /** Scores and saves an official's answers: a new assessment, or (with `id`) a new score of theirs. */
  save(owner: string, pathwayId: string, input: AssessmentInput, id?: string): Promise<SaveAssessmentResult>;
  get(owner: string, id: string): Promise<SavedAssessment | null>;
  /** The owner's assessments, most recently saved first. */
  list(owner: string): Promise<SavedAssessment[]>;
  /** Every score of an assessment, oldest first. */
  history(owner: string, id: string): Promise<ScoreRow[]>;
  remove(owner: string, id: string): Promise<boolean>;
}

/** How many assessments a list shows, and how many scores a history keeps on screen. */
const MAX_LISTED = 200;
const MAX_HISTORY = 100;

/** The live Pathway `id` names on this node, or null. */
export async function livePathway(library: Pick<Library, "get">, id: string): Promise<StoredItem | null> {
  const item = await library.get(id).catch(() => null);
  return item && !item.deleted && item.type === "Pathway" ? item : null;
}

function parseInput(text: string): AssessmentInput {
  const raw = JSON.parse(text) as Partial<AssessmentInput>;
  return {
    readiness: raw.readiness ?? [],
    prerequisites: raw.prerequisites ?? [],
    notes: raw.notes ?? [],
    profile: raw.profile ?? {},
  };
}

function fromRow(row: AssessmentRow): SavedAssessment {
  return {
    id: row.id,
    pathwayId: row.pathwayId,
    pathwayTitle: row.pathwayTitle,
    pathwayVersion: row.pathwayVersion,
    input: parseInput(row.answers),
    score: row.score,
    ready: row.ready,
    requiredGaps: row.requiredGaps,
    gaps: row.gaps,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Builds the saved-assessments service over its store and the library that holds the pathways. */
export function createAssessments(options: AssessmentsOptions): Assessments {
  const { store, library } = options;
  const now = options.now ?? (() => new Date());
  return {
    async save(owner, pathwayId, input, id) {
      // An update answers the pathway the assessment was made for, whatever the form says.
      const existing = id === undefined ? undefined : await store.get(owner, id);
      if (existing === null) return { ok: false, reason: "not-found" };
      const item = await livePathway(library, existing?.pathwayId ?? pathwayId);
      if (!item) return { ok: false, reason: "no-pathway" };
      const pathway = item.document as unknown as Pathway;
      const checked = checkAnswers(pathway, input);
      if (!checked.ok) return { ok: false, reason: "invalid", details: checked.details };
      const result = assess(pathway, checked.answers);
      const score = {
        pathwayVersion: item.version,
        score: result.score,
        ready: result.ready,
        requiredGaps: result.gaps.filter((g) => g.level === "required").length,
        gaps: result.gaps.length,
      };
      const answers = JSON.stringify({
        readiness: checked.answers.readiness,
        prerequisites: checked.answers.prerequisites,
        notes: (pathway.prerequisites ?? []).map((_, i) => input.notes[i] ?? ""),
        profile: input.profile,
      } satisfies AssessmentInput);
      const at = now().toISOString();
      if (id !== undefined) {
        const updated = await store.update(owner, id, { answers, pathwayTitle: item.title, updatedAt: at, ...score });
        return updated ? { ok: true, id, assessment: result } : { ok: false, reason: "not-found" };
      }
      const newId = `a-${randomBytes(12).toString("hex")}`;
      await store.insert({
        id: newId,
        owner,
        pathwayId: item.id,
        pathwayTitle: item.title,
        answers,
        createdAt: at,
        updatedAt: at,
        ...score,
      });
      return { ok: true, id: newId, assessment: result };
    },
    async get(owner, id) {
      const row = await store.get(owner, id);
      return row ? fromRow(row) : null;
    },
    async list(owner) {
      return (await store.list(owner, MAX_LISTED)).map(fromRow);
    },
    async history(owner, id) {
      return (await store.get(owner, id)) ? store.history(id, MAX_HISTORY) : [];
    },
    remove: (owner, id) => store.remove(owner, id),
  };
}
