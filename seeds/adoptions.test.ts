import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createDocumentValidator } from "../node/library/validation.ts";
import { cityPlaceholder, readAdoptionSeeds, resolveCityLinks } from "../node/cli/demo-adoptions.ts";

// The demo cities' adoptions of Seoul's cases (seeds/<city>/adoptions/), which `wego demo`
// publishes through each node's API once the three nodes serve (node/cli/demo-adoptions.ts).

const SEEDS_DIR = fileURLToPath(new URL(".", import.meta.url));
const SEOUL = "http://127.0.0.1:8081";
const CITY = "http://127.0.0.1:8082";
const DEMO_CITIES = ["busan", "ulaanbaatar"];
const validator = createDocumentValidator();

const seoulSeeds = new Map(
  readdirSync(join(SEEDS_DIR, "seoul"))
    .filter((f) => f.endsWith(".json"))
    .map((f) => [f.slice(0, -".json".length), JSON.parse(readFileSync(join(SEEDS_DIR, "seoul", f), "utf8"))]),
);

const adoptions = DEMO_CITIES.flatMap((city) =>
  readAdoptionSeeds(SEEDS_DIR, city).map((doc, i) => ({ city, name: `${city}/adoptions #${i + 1}`, doc })),
);

describe("demo adoption seeds", () => {
  it("exist only for the illustrative cities, and cover several statuses", () => {
    expect(existsSync(join(SEEDS_DIR, "seoul", "adoptions"))).toBe(false);
    for (const city of DEMO_CITIES) expect(readAdoptionSeeds(SEEDS_DIR, city).length, city).toBeGreaterThanOrEqual(2);
    expect(new Set(adoptions.map((a) => a.doc.status)).size).toBeGreaterThanOrEqual(3);
  });

  it.each(adoptions.map((a) => [a.name, a] as const))(
    "%s validates once published, and adopts one of Seoul's seeded cases with its pathway",
    (_name, { city, doc }) => {
      const resolved = resolveCityLinks(doc, new Map([["seoul", SEOUL]])) as Record<string, unknown>;
      const caseUrl = String(resolved.case);
      expect(caseUrl.startsWith(`${SEOUL}/items/`), caseUrl).toBe(true);
      const caseSeed = seoulSeeds.get(caseUrl.slice(`${SEOUL}/items/`.length));
      expect(caseSeed?.type, caseUrl).toBe("CaseStudy");
      const pathwaySeed = seoulSeeds.get(String(resolved.pathway).slice(`${SEOUL}/items/`.length));
      expect(pathwaySeed?.type).toBe("Pathway");
      expect(pathwaySeed?.case).toBe(`https://seed.invalid/items/${caseUrl.slice(`${SEOUL}/items/`.length)}`);
      const published = {
        ...resolved,
        id: `${CITY}/items/adoption`,
        attributedTo: `${CITY}/cities/${city}`,
        published: "2026-01-01T00:00:00Z",
        updated: "2026-01-01T00:00:00Z",
        version: 1,
      };
      expect(validator.validate(published)).toEqual({ ok: true });
      expect(JSON.stringify(resolved)).not.toContain("seed.invalid");
    },
  );

  it.each(adoptions.map((a) => [a.name, a] as const))("%s is clearly marked as illustrative", (_name, { doc }) => {
    expect(String(doc.summary)).toMatch(/^Illustrative demo item:/);
    expect(doc.tags).toContain("demo");
    expect(String(doc.body)).toMatch(/illustrative demo content/);
    for (const field of ["id", "attributedTo", "published", "updated", "version"])
      expect(doc).not.toHaveProperty(field);
  });
});

describe("resolveCityLinks()", () => {
  it("replaces a city's placeholder origin only at the start of a string", () => {
    const origins = new Map([["seoul", SEOUL]]);
    const inText = `see ${cityPlaceholder("seoul")}/items/x`;
    expect(
      resolveCityLinks({ case: `${cityPlaceholder("seoul")}/items/case-gis`, body: inText, n: 3 }, origins),
    ).toEqual({ case: `${SEOUL}/items/case-gis`, body: inText, n: 3 });
  });
});
