import { Migration } from "@mikro-orm/migrations";

/**
 * Officials' saved readiness assessments and the score each save gave. Kept apart from
 * `items` and `item_versions`, so nothing that reads the library (search, feeds, federation,
 * exports, sitemaps) can ever see one: an assessment is private to the official who saved it.
 */
export class Migration009Assessments extends Migration {
  override up(): void {
    // answers: JSON of the answers, notes and city profile as the form left them.
    this.addSql(`create table assessments (
      id text primary key not null,
      owner text not null,
      pathway_id text not null,
      pathway_title text not null,
      pathway_version integer not null,
      answers text not null,
      score integer null,
      ready integer not null,
      required_gaps integer not null,
      gaps integer not null,
      created_at text not null,
      updated_at text not null
    )`);
    this.addSql("create index assessments_owner_idx on assessments (owner, updated_at)");
    // One row per save: how the score moved as the city made progress.
    this.addSql(`create table assessment_scores (
      assessment_id text not null references assessments (id) on delete cascade,
      saved_at text not null,
      pathway_version integer not null,
      score integer null,
      ready integer not null,
      required_gaps integer not null,
      gaps integer not null
    )`);
    this.addSql("create index assessment_scores_idx on assessment_scores (assessment_id, saved_at)");
  }
}
