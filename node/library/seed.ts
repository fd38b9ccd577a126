import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Orm } from "../db/orm.ts";
import { createMetaStore } from "../db/meta-store.ts";
import type { Library } from "./library.ts";
import type { ValidationIssue } from "./validation.ts";

/** Outcome of {@link loadSeeds}. */
export type SeedResult =
  | { readonly status: "loaded"; readonly count: number }
  | { readonly status: "already-seeded" | "no-seeds" }
  | { readonly status: "invalid"; readonly file: string; readonly details: readonly ValidationIssue[] };

const SEEDED_KEY = "seeded";

/** Seeds name each other with this origin; it becomes the node's origin when loaded. */
export const SEED_ORIGIN = "https://seed.invalid";

/** URL paths under the placeholder origin that the node serves: items, and seed files. */
const SEED_PATHS = ["/items/", "/files/"];

/** Replaces the seed placeholder origin in every item and seed-file link with the node's origin. */
export function resolveSeedLinks(value: unknown, origin: string): unknown {
  if (typeof value === "string") {
    return SEED_PATHS.some((p) => value.startsWith(SEED_ORIGIN + p)) ? origin + value.slice(SEED_ORIGIN.length) : value;
  }
  if (Array.isArray(value)) return value.map((v) => resolveSeedLinks(v, origin));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveSeedLinks(v, origin)]));
  }
  return value;
}

/** The seed documents of a city: `<seedsDir>/<city>/<slug>.json`, slug from the file name. */
export function readSeedFiles(seedsDir: string, city: string): { slug: string; file: string; document: unknown }[] {
  const dir = join(seedsDir, city);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({
      slug: f.slice(0, -".json".length),
      file: join(dir, f),
      document: JSON.parse(readFileSync(join(dir, f), "utf8")) as unknown,
    }));
}

/**
 * Publishes the city's seed library once, on first start. A marker in the database
 * makes later starts skip it, so seeds are never duplicated — nor resurrected after an
 * editor deletes one.
 */
export async function loadSeeds(options: {
  orm: Orm;
  library: Library;
  seedsDir: string;
  city: string;
  origin: string;
}): Promise<SeedResult> {
  const { library } = options;
  const meta = createMetaStore(options.orm);
  if ((await meta.get(SEEDED_KEY)) !== null) return { status: "already-seeded" };
  const seeds = readSeedFiles(options.seedsDir, options.city);
  if (seeds.length === 0) return { status: "no-seeds" };
  let count = 0;
  for (const seed of seeds) {
    // A start that crashed halfway through seeding left some seeds stored: keep those.
    if (await library.get(`${options.origin}/items/${seed.slug}`)) continue;
    const result = await library.create(resolveSeedLinks(seed.document, options.origin), {
      author: "seed",
      slug: seed.slug,
    });
    // A seed that fails its schema is our bug: stop before the marker so it can be fixed and retried.
    if (!result.ok) {
      if (result.reason === "invalid") return { status: "invalid", file: seed.file, details: result.details };
      throw new Error(`seed ${seed.file} could not be stored: ${result.reason}`);
    }
    count++;
  }
  await meta.set(SEEDED_KEY, new Date().toISOString());
  return { status: "loaded", count };
}
