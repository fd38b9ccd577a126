import type { Orm } from "./orm.ts";

// The `assessments` and `assessment_scores` tables (migration 009): officials' saved
// readiness assessments. Private rows: never signed, indexed or federated.

/** What one save of an assessment scored. */
export interface ScoreRow {
  readonly savedAt: string;
  readonly pathwayVersion: number;
  /** Null when the pathway weighs no question. */
  readonly score: number | null;
  readonly ready: boolean;
  readonly requiredGaps: number;
  readonly gaps: number;
}

/** One saved assessment, with its latest score. */
export interface AssessmentRow extends Omit<ScoreRow, "savedAt"> {
  readonly id: string;
  /** Username of the official who saved it; only they read it. */
  readonly owner: string;
  readonly pathwayId: string;
  readonly pathwayTitle: string;
  /** The answers, notes and city profile (JSON text). */
  readonly answers: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface RawScore {
  saved_at: string;
  pathway_version: number;
  score: number | null;
  ready: number | boolean;
  required_gaps: number;
  gaps: number;
}

interface RawAssessment extends Omit<RawScore, "saved_at"> {
  id: string;
  owner: string;
  pathway_id: string;
  pathway_title: string;
  answers: string;
  created_at: string;
  updated_at: string;
}

function scoreFromRaw(r: Omit<RawScore, "saved_at">): Omit<ScoreRow, "savedAt"> {
  return {
    pathwayVersion: Number(r.pathway_version),
    score: r.score === null ? null : Number(r.score),
    ready: Boolean(Number(r.ready)),
    requiredGaps: Number(r.required_gaps),
    gaps: Number(r.gaps),
  };
}

function scoreColumns(s: Omit<ScoreRow, "savedAt">) {
  return {
    pathway_version: s.pathwayVersion,
    score: s.score,
    ready: s.ready ? 1 : 0,
    required_gaps: s.requiredGaps,
    gaps: s.gaps,
  };
}

/** Reads and writes of saved assessments. */
export interface AssessmentStore {
  /** Stores a new assessment and its first score, in one transaction. */
  insert(row: AssessmentRow): Promise<void>;
  /**
   * Replaces the answers and score of an owner's assessment and adds the score to its
   * history, in one transaction; false (nothing written) when the owner has no such assessment.
   */
  update(
    owner: string,
    id: string,
    change: Pick<AssessmentRow, "answers" | "pathwayTitle" | "updatedAt"> & Omit<ScoreRow, "savedAt">,
  ): Promise<boolean>;
  /** The owner's assessment, or null (another official's is none of theirs). */
  get(owner: string, id: string): Promise<AssessmentRow | null>;
  /** The owner's assessments, most recently saved first. */
  list(owner: string, limit: number): Promise<AssessmentRow[]>;
  /** Every score an assessment had, oldest first (at most `limit`, the latest ones). */
  history(id: string, limit: number): Promise<ScoreRow[]>;
  /** Removes an owner's assessment and its history; false when there was none. */
  remove(owner: string, id: string): Promise<boolean>;
}

/** The assessment store over the node's database. */
export function createAssessmentStore(orm: Orm): AssessmentStore {
  const knex = () => orm.em.getKnex();
  const fromRaw = (r: RawAssessment): AssessmentRow => ({
    id: r.id,
    owner: r.owner,
    pathwayId: r.pathway_id,
    pathwayTitle: r.pathway_title,
    answers: r.answers,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    ...scoreFromRaw(r),
  });
  return {
    async insert(row) {
      await knex().transaction(async (trx) => {
        await trx("assessments").insert({
          id: row.id,
          owner: row.owner,
          pathway_id: row.pathwayId,
          pathway_title: row.pathwayTitle,
          answers: row.answers,
          created_at: row.createdAt,
          updated_at: row.updatedAt,
          ...scoreColumns(row),
        });
        await trx("assessment_scores").insert({ assessment_id: row.id, saved_at: row.updatedAt, ...scoreColumns(row) });
      });
    },
    async update(owner, id, change) {
      return knex().transaction(async (trx) => {
        const n = await trx("assessments")
          .where({ id, owner })
          .update({
            answers: change.answers,
            pathway_title: change.pathwayTitle,
            updated_at: change.updatedAt,
            ...scoreColumns(change),
          });
        if (Number(n) === 0) return false;
        await trx("assessment_scores").insert({
          assessment_id: id,
          saved_at: change.updatedAt,
          ...scoreColumns(change),
        });
        return true;
      });
    },
    async get(owner, id) {
      const row = (await knex()("assessments").where({ id, owner }).first()) as RawAssessment | undefined;
      return row ? fromRaw(row) : null;
    },
    async list(owner, limit) {
      const rows = (await knex()("assessments")
        .where("owner", owner)
        .orderBy([
          { column: "updated_at", order: "desc" },
          { column: "id", order: "asc" },
        ])
        .limit(limit)) as RawAssessment[];
      return rows.map(fromRaw);
    },
    async history(id, limit) {
      const rows = (await knex()("assessment_scores")
        .where("assessment_id", id)
        .orderBy("saved_at", "desc")
        .limit(limit)) as RawScore[];
      return rows.reverse().map((r) => ({ savedAt: r.saved_at, ...scoreFromRaw(r) }));
    },
    async remove(owner, id) {
      return knex().transaction(async (trx) => {
        const n = await trx("assessments").where({ id, owner }).delete();
        if (Number(n) === 0) return false;
        // Also without the foreign key's cascade (a database opened with it off).
        await trx("assessment_scores").where("assessment_id", id).delete();
        return true;
      });
    },
  };
}
