import { describe, expect, it } from "vitest";
import { assessFields, assessHref, readAssessForm } from "./assess-form.ts";
import { isSimilar } from "./adoption-lists.ts";
import type { Pathway } from "../library/documents.generated.ts";

const pathway: Pick<Pathway, "prerequisites" | "readiness"> = {
  prerequisites: [
    { kind: "legal", description: "An ordinance", level: "required" },
    { kind: "skills", description: "Trained staff", level: "recommended" },
  ],
  readiness: [{ question: "Is there a budget?", weight: 5 }],
};

function reader(values: Record<string, string>) {
  return (name: string) => values[name];
}

describe("assessment form", () => {
  it("readAssessForm() takes known answers only and lists the questions still unanswered, prerequisites first", () => {
    const r = readAssessForm(pathway, reader({ p0: "met", p1: "maybe", r0: "" }));
    expect(r.submitted).toBe(true);
    expect(r.values.prerequisites).toEqual(["met", undefined]);
    expect(r.missing).toEqual(["p1", "r0"]);
    expect(r.input).toBeUndefined();
    expect(readAssessForm(pathway, reader({ city: "Busan" })).submitted).toBe(false);
  });

  it("readAssessForm() bounds the profile: a population as typed with separators, nothing absurd, notes cut to 1000 characters", () => {
    const r = readAssessForm(
      pathway,
      reader({ p0: "met", p1: "unknown", r0: "partly", population: "1,700,000", income: "high", n1: "x".repeat(5000) }),
    );
    expect(r.values.profile.population).toBe(1_700_000);
    expect(r.values.profile.incomeLevel).toBe("high");
    expect(r.values.notes).toEqual(["", "x".repeat(1000)]);
    expect(r.input?.readiness).toEqual(["partly"]);
    for (const population of ["-5", "1e9", "999999999999", "lots"])
      expect(readAssessForm(pathway, reader({ population })).values.profile.population).toBeUndefined();
    expect(readAssessForm(pathway, reader({ income: "rich" })).values.profile.incomeLevel).toBeUndefined();
  });

  it("assessHref() keeps every answer and the profile, so the link reopens the same report", () => {
    const first = readAssessForm(
      pathway,
      reader({ p0: "met", p1: "partly", n1: "Hiring & training", r0: "yes", city: "Busan" }),
    );
    const href = assessHref("https://seoul.test/items/pathway-x", first.values);
    const qs = new URLSearchParams(href.slice(href.indexOf("?") + 1));
    expect(qs.get("pathway")).toBe("https://seoul.test/items/pathway-x");
    const again = readAssessForm(pathway, (name) => qs.get(name) ?? undefined);
    expect(again.values).toEqual(first.values);
    expect(assessFields("p", first.values).map(([k]) => k)).toEqual(["pathway", "p0", "p1", "n1", "r0", "city"]);
  });

  it("isSimilar() compares income level and population band, for each the city gave", () => {
    const busan = { population: 3_300_000, incomeLevel: "high" as const };
    expect(isSimilar({ population: 1_200_000, incomeLevel: "high" }, busan)).toBe(true);
    expect(isSimilar({ population: 900_000 }, busan)).toBe(false);
    expect(isSimilar({ incomeLevel: "low" }, busan)).toBe(false);
    expect(isSimilar({ population: 6_000_000 }, { incomeLevel: "high" })).toBe(false);
    expect(isSimilar({}, undefined)).toBe(true);
  });
});
