import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createDocumentValidator } from "../node/library/validation.ts";

// The seed libraries in seeds/<city>/<slug>.json, checked the way the node loads them:
// managed fields filled in, then validated against the document's schema.

const SEEDS_DIR = fileURLToPath(new URL(".", import.meta.url));
const ORIGIN = "http://localhost:8080";
const PLACEHOLDER = "https://seed.invalid";
const PLACEHOLDER_ITEM = `${PLACEHOLDER}/items/`;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$/;
const MANAGED_FIELDS = ["id", "attributedTo", "published", "updated", "version"] as const;

type Doc = Record<string, unknown>;

interface Seed {
  readonly city: string;
  readonly file: string;
  readonly slug: string;
  readonly doc: Doc;
}

function isObject(value: unknown): value is Doc {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function cityDirs(): string[] {
  return readdirSync(SEEDS_DIR)
    .filter((name) => statSync(join(SEEDS_DIR, name)).isDirectory())
    .sort();
}

function readCity(city: string): Seed[] {
  return readdirSync(join(SEEDS_DIR, city))
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => {
      const parsed: unknown = JSON.parse(readFileSync(join(SEEDS_DIR, city, file), "utf8"));
      if (!isObject(parsed)) throw new TypeError(`seeds/${city}/${file} is not a JSON object`);
      return { city, file, slug: file.slice(0, -".json".length), doc: parsed };
    });
}

/** What the node adds when it publishes a seed. */
function withManagedFields(seed: Seed): Doc {
  const now = new Date().toISOString();
  return {
    ...seed.doc,
    id: `${ORIGIN}/items/${seed.slug}`,
    attributedTo: `${ORIGIN}/cities/${seed.city}`,
    published: now,
    updated: now,
    version: 1,
  };
}

/** Every string in a document with its JSON pointer. */
function strings(value: unknown, path = ""): { path: string; value: string }[] {
  if (typeof value === "string") return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}/${i}`));
  if (isObject(value)) return Object.entries(value).flatMap(([k, v]) => strings(v, `${path}/${k}`));
  return [];
}

function wordCount(markdown: string): number {
  return markdown.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/** The seeds a document points at through `case`, `relatedCases` and `links`, with the type each must be. */
function references(doc: Doc): { path: string; href: string; expectedType?: string }[] {
  const refs: { path: string; href: string; expectedType?: string }[] = [];
  if (typeof doc["case"] === "string") refs.push({ path: "/case", href: doc["case"], expectedType: "CaseStudy" });
  if (Array.isArray(doc["relatedCases"])) {
    doc["relatedCases"].forEach((href, i) => {
      if (typeof href === "string") refs.push({ path: `/relatedCases/${i}`, href, expectedType: "CaseStudy" });
    });
  }
  const typeByRel: Record<string, string> = { case: "CaseStudy", pathway: "Pathway", dataset: "Dataset" };
  if (Array.isArray(doc["links"])) {
    doc["links"].forEach((link, i) => {
      if (!isObject(link) || typeof link["href"] !== "string") return;
      const rel = typeof link["rel"] === "string" ? link["rel"] : "";
      refs.push({ path: `/links/${i}/href`, href: link["href"], expectedType: typeByRel[rel] });
    });
  }
  return refs;
}

const validator = createDocumentValidator();
const cities = cityDirs();
const seeds = cities.flatMap(readCity);

describe("seed libraries", () => {
  it("exist for Seoul", () => {
    expect(cities).toContain("seoul");
  });

  it("hold only .json documents in each city folder", () => {
    for (const city of cities) {
      const others = readdirSync(join(SEEDS_DIR, city)).filter((f) => !f.endsWith(".json"));
      expect(others, `seeds/${city}`).toEqual([]);
    }
  });
});

describe.each(seeds.map((s) => [`${s.city}/${s.file}`, s] as const))("seed %s", (_name, seed) => {
  it("has a valid slug as its file name", () => {
    expect(seed.slug).toMatch(SLUG);
  });

  it("leaves the node's managed fields out", () => {
    for (const field of MANAGED_FIELDS) expect(seed.doc, field).not.toHaveProperty(field);
  });

  it("validates against its schema once the managed fields are filled in", () => {
    expect(validator.validate(withManagedFields(seed))).toEqual({ ok: true });
  });

  it("names its city and country", () => {
    expect(seed.doc["city"]).toEqual(expect.stringMatching(/\S/));
    expect(seed.doc["country"]).toMatch(/^[A-Z]{2}$/);
    if (seed.city === "seoul") expect([seed.doc["city"], seed.doc["country"]]).toEqual(["Seoul", "KR"]);
  });

  it("refers to other seeds only by placeholder URLs naming seeds that exist, with the right type", () => {
    const bySlug = new Map(seeds.filter((s) => s.city === seed.city).map((s) => [s.slug, s]));
    const refs = references(seed.doc).filter((r) => r.href.startsWith(PLACEHOLDER_ITEM));
    if (seed.doc["type"] === "Pathway") expect(refs.map((r) => r.path)).toContain("/case");
    for (const ref of refs) {
      const target = bySlug.get(ref.href.slice(PLACEHOLDER_ITEM.length));
      expect(target, `${ref.path}: ${ref.href}`).toBeDefined();
      if (ref.expectedType !== undefined) expect(target?.doc["type"], `${ref.path}: ${ref.href}`).toBe(ref.expectedType);
    }
  });

  it("uses placeholder URLs only as whole item URLs of existing seeds or as dataset download placeholders", () => {
    const slugs = new Set(seeds.filter((s) => s.city === seed.city).map((s) => s.slug));
    const placeholders = strings(seed.doc).filter((s) => s.value.includes(PLACEHOLDER));
    for (const { path, value } of placeholders) {
      if (value.startsWith(PLACEHOLDER_ITEM)) {
        // The loader rewrites only strings that start with the placeholder: no placeholders inside Markdown.
        expect(slugs.has(value.slice(PLACEHOLDER_ITEM.length)), `${path}: ${value}`).toBe(true);
      } else {
        expect(path, value).toMatch(/^\/distributions\/\d+\/downloadURL$/);
        expect(value).toMatch(/^https:\/\/seed\.invalid\/datasets\/[a-z0-9-]+\.[a-z0-9]+$/);
      }
    }
  });

  it("gives every dataset distribution a placeholder URL rather than a guessed real one", () => {
    const distributions = Array.isArray(seed.doc["distributions"]) ? seed.doc["distributions"] : [];
    expect(distributions.length > 0).toBe(seed.doc["type"] === "Dataset");
    for (const d of distributions.filter(isObject)) {
      for (const key of ["accessURL", "downloadURL"] as const) {
        if (d[key] !== undefined) expect(d[key]).toMatch(/^https:\/\/seed\.invalid\//);
      }
    }
  });
});

describe("Seoul's seed library", () => {
  const seoul = seeds.filter((s) => s.city === "seoul");
  const ofType = (type: string) => seoul.filter((s) => s.doc["type"] === type);
  const ko = (s: Seed) => (isObject(s.doc["translations"]) ? s.doc["translations"]["ko"] : undefined);

  it("has at least 7 case studies, 4 pathways and 3 datasets", () => {
    expect(ofType("CaseStudy").length).toBeGreaterThanOrEqual(7);
    expect(ofType("Pathway").length).toBeGreaterThanOrEqual(4);
    expect(ofType("Dataset").length).toBeGreaterThanOrEqual(3);
  });

  it("covers the study's seven exemplary cases", () => {
    const slugs = ofType("CaseStudy").map((s) => s.slug);
    for (const slug of ["case-eung-dap-so", "case-mvoting", "case-120-dasan", "case-oasis", "case-gis", "case-etax", "case-wego"]) {
      expect(slugs).toContain(slug);
    }
  });

  it("has pathways for Eung-Dap-So, mVoting, 120 Dasan and ETAX", () => {
    const cases = ofType("Pathway").map((s) => s.doc["case"]);
    for (const slug of ["case-eung-dap-so", "case-mvoting", "case-120-dasan", "case-etax"]) {
      expect(cases).toContain(`${PLACEHOLDER_ITEM}${slug}`);
    }
  });

  it("has Korean translations on at least 3 documents, including every case study", () => {
    expect(seoul.filter((s) => ko(s) !== undefined).length).toBeGreaterThanOrEqual(3);
    for (const s of ofType("CaseStudy")) {
      expect(ko(s), s.slug).toEqual(expect.objectContaining({ title: expect.stringMatching(/[\uAC00-\uD7A3]/), summary: expect.stringMatching(/[\uAC00-\uD7A3]/) }));
    }
  });

  it("writes every case study body as Markdown of 400 to 900 words with headings", () => {
    for (const s of ofType("CaseStudy")) {
      const body = String(s.doc["body"]);
      const words = wordCount(body);
      expect(words, `${s.slug}: ${words} words`).toBeGreaterThanOrEqual(400);
      expect(words, `${s.slug}: ${words} words`).toBeLessThanOrEqual(900);
      expect(body.match(/^## /gm)?.length ?? 0, s.slug).toBeGreaterThanOrEqual(3);
    }
  });

  it("cites the study for every case study outcome and licenses everything CC-BY-4.0", () => {
    for (const s of seoul) {
      expect(s.doc["license"], s.slug).toBe("CC-BY-4.0");
      const outcomes = Array.isArray(s.doc["outcomes"]) ? s.doc["outcomes"].filter(isObject) : [];
      expect(outcomes.length > 0, s.slug).toBe(s.doc["type"] === "CaseStudy");
      for (const o of outcomes) expect(o["source"], `${s.slug}: ${String(o["metric"])}`).toMatch(/Seoul e-Governance policy study/);
    }
  });

  it("says in every pathway's cost note that the figures are indicative, not from the study", () => {
    for (const s of ofType("Pathway")) {
      const costRange = s.doc["costRange"];
      expect(isObject(costRange) ? costRange["note"] : undefined, s.slug).toMatch(/indicative estimate.*not a figure from the study/i);
    }
  });
});
