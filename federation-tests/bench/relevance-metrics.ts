import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

// The judged query set of `npm run bench:relevance` and the standard ranking measures it is
// scored with. Pure functions: no node, no network, so the judgment test runs them directly.

/** The judged query set, beside this file. */
export const JUDGMENTS_FILE = new URL("./relevance-judgments.json", import.meta.url);

/** 2: what the person is looking for; 1: relevant. Unjudged items are 0. */
export type Grade = 1 | 2;

/** One judged query. */
export interface JudgedQuery {
  /** Exactly what a person types into the search box. */
  readonly q: string;
  /** What kind of query it is (english, korean, pasted-title, typo, multi-word, …). */
  readonly kind: string;
  /** Seed slug (`seeds/<city>/<slug>.json`) to grade; may be empty when nothing is relevant. */
  readonly judgments: Readonly<Record<string, Grade>>;
  /** Slugs that must not be among the first five results. */
  readonly notTop5?: readonly string[];
  /** Why the judgments are what they are. */
  readonly note: string;
}

/** Reads the judged query set. */
export function loadJudgments(file: URL | string = JUDGMENTS_FILE): JudgedQuery[] {
  const parsed = JSON.parse(readFileSync(file, "utf8")) as { queries: JudgedQuery[] };
  return parsed.queries;
}

/** Every seed slug in a seeds folder (`<seedsDir>/<city>/<slug>.json`), with its city folder. */
export function seedSlugs(seedsDir: string): Map<string, string> {
  const slugs = new Map<string, string>();
  for (const city of readdirSync(seedsDir, { withFileTypes: true })) {
    if (!city.isDirectory()) continue;
    for (const file of readdirSync(join(seedsDir, city.name))) {
      if (file.endsWith(".json")) slugs.set(file.slice(0, -".json".length), city.name);
    }
  }
  return slugs;
}

/** The seed slug of an item id (`<origin>/items/<slug>`), or the id itself when it has none. */
export function slugOf(id: string): string {
  return /\/items\/([^/?#]+)$/.exec(id)?.[1] ?? id;
}

/** How one query fared: the measures, and what came back. */
export interface QueryScore {
  readonly query: JudgedQuery;
  /** The HTTP status of the search (0: no answer at all). */
  readonly status: number;
  /** Slugs of the results in rank order (at most the ten that were asked for). */
  readonly slugs: readonly string[];
  readonly total: number;
  readonly precisionAt5: number;
  readonly ndcgAt10: number;
  readonly recallAt10: number;
  /** `notTop5` items that were among the first five. */
  readonly forbiddenInTop5: readonly string[];
}

const gain = (grade: number) => 2 ** grade - 1;
const discountedGain = (grades: readonly number[]) =>
  grades.slice(0, 10).reduce((sum, grade, i) => sum + gain(grade) / Math.log2(i + 2), 0);

/**
 * Scores one answer with the standard definitions: precision@5 (judged relevant among the
 * first five, over five), nDCG@10 (gain 2^grade − 1, discount log2(rank + 1), ideal DCG from
 * the judgments) and recall@10 (judged relevant among the first ten, over all judged
 * relevant). An answer other than HTTP 200 scores 0 on every measure.
 */
export function scoreAnswer(
  query: JudgedQuery,
  answer: { readonly status: number; readonly slugs: readonly string[]; readonly total: number },
): QueryScore {
  const ok = answer.status === 200;
  const slugs = ok ? answer.slugs : [];
  const gradeOf = (slug: string): number => query.judgments[slug] ?? 0;
  const relevant = Object.keys(query.judgments).length;
  const top5 = slugs.slice(0, 5);
  const ideal = discountedGain(Object.values(query.judgments).sort((a, b) => b - a));
  return {
    query,
    status: answer.status,
    slugs,
    total: ok ? answer.total : 0,
    precisionAt5: top5.filter((s) => gradeOf(s) > 0).length / 5,
    ndcgAt10: ideal === 0 ? 0 : discountedGain(slugs.map(gradeOf)) / ideal,
    recallAt10: relevant === 0 ? 0 : slugs.slice(0, 10).filter((s) => gradeOf(s) > 0).length / relevant,
    forbiddenInTop5: top5.filter((s) => query.notTop5?.includes(s)),
  };
}

/** Whether a query has anything judged relevant (otherwise it is left out of the means). */
export const isJudged = (query: JudgedQuery): boolean => Object.keys(query.judgments).length > 0;

/** Means over a group of queries. */
export interface Summary {
  readonly queries: number;
  readonly precisionAt5: number;
  readonly ndcgAt10: number;
  readonly recallAt10: number;
  /** Answers other than HTTP 200 (judged or not). */
  readonly errors: number;
  /** `notTop5` items found among the first five, added up. */
  readonly forbiddenInTop5: number;
  /** Mean number of results (`total`) of the judged queries: the tail a reader scrolls through. */
  readonly results: number;
}

/** The means of a group of scores; queries with nothing judged count only towards errors. */
export function summarise(scores: readonly QueryScore[]): Summary {
  const judged = scores.filter((s) => isJudged(s.query));
  const mean = (pick: (s: QueryScore) => number) =>
    judged.length === 0 ? 0 : judged.reduce((sum, s) => sum + pick(s), 0) / judged.length;
  return {
    queries: scores.length,
    precisionAt5: mean((s) => s.precisionAt5),
    ndcgAt10: mean((s) => s.ndcgAt10),
    recallAt10: mean((s) => s.recallAt10),
    errors: scores.filter((s) => s.status !== 200).length,
    forbiddenInTop5: scores.reduce((sum, s) => sum + s.forbiddenInTop5.length, 0),
    results: mean((s) => s.total),
  };
}
