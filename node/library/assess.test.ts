import { describe, expect, it } from "vitest";
import type { Pathway } from "./documents.generated.ts";
import { assess, checkAnswers, type ReadinessAnswer } from "./assess.ts";

type Parts = Pick<Pathway, "readiness" | "prerequisites">;

function weighted(...weights: number[]): Parts {
  return { readiness: weights.map((weight, i) => ({ question: `Question ${i + 1}?`, weight })) };
}

const prerequisites: Parts["prerequisites"] = [
  { kind: "infrastructure", description: "Smartphones are common", level: "recommended" },
  { kind: "legal", description: "Votes are advisory by law", level: "required" },
  { kind: "skills", description: "Staff write neutral questions", level: "recommended" },
  { kind: "leadership", description: "The mayor answers every result", level: "required" },
];

function scoreOf(parts: Parts, readiness: ReadinessAnswer[]): number | null {
  return assess(parts, { readiness, prerequisites: [] }).score;
}

describe("the readiness score", () => {
  it("is 100 when every question is answered yes", () => {
    expect(scoreOf(weighted(10, 8, 7, 6, 4), ["yes", "yes", "yes", "yes", "yes"])).toBe(100);
  });

  it("weighs each answer: 10/8/7/6/4 answered yes/no/yes/no/yes is 60", () => {
    expect(scoreOf(weighted(10, 8, 7, 6, 4), ["yes", "no", "yes", "no", "yes"])).toBe(60);
  });

  it("counts partly as half", () => {
    expect(scoreOf(weighted(10, 8, 7, 6, 4), ["partly", "partly", "partly", "partly", "partly"])).toBe(50);
    // (10 · 0.5 + 6) / 16 = 68.75
    expect(scoreOf(weighted(10, 6), ["partly", "yes"])).toBe(69);
  });

  it("is 0 when every answer is no, and null when no question carries weight", () => {
    expect(scoreOf(weighted(3, 2), ["no", "no"])).toBe(0);
    expect(scoreOf(weighted(0, 0), ["yes", "yes"])).toBeNull();
    expect(scoreOf({}, [])).toBeNull();
  });
});

describe("the ready verdict and the gaps", () => {
  it("is ready only when every required prerequisite is met, whatever the recommended ones", () => {
    const ready = (answers: ("met" | "partly" | "unmet" | "unknown")[]) =>
      assess({ prerequisites }, { readiness: [], prerequisites: answers }).ready;
    expect(ready(["unmet", "met", "unknown", "met"])).toBe(true);
    expect(ready(["met", "met", "met", "partly"])).toBe(false);
    expect(ready(["met", "unknown", "met", "met"])).toBe(false);
    expect(ready(["met", "met", "met", "met"])).toBe(true);
  });

  it("lists every prerequisite not met, required ones first, each group in the pathway's order", () => {
    const { gaps } = assess(
      { prerequisites },
      { readiness: [], prerequisites: ["partly", "unknown", "unmet", "unmet"] },
    );
    expect(gaps).toEqual([
      { index: 1, kind: "legal", level: "required", description: "Votes are advisory by law", status: "unknown" },
      {
        index: 3,
        kind: "leadership",
        level: "required",
        description: "The mayor answers every result",
        status: "unmet",
      },
      {
        index: 0,
        kind: "infrastructure",
        level: "recommended",
        description: "Smartphones are common",
        status: "partly",
      },
      {
        index: 2,
        kind: "skills",
        level: "recommended",
        description: "Staff write neutral questions",
        status: "unmet",
      },
    ]);
  });
});

describe("checking the answers", () => {
  const pathway: Parts = { ...weighted(5, 5), prerequisites };

  it("accepts one known answer per entry, in order", () => {
    const checked = checkAnswers(pathway, {
      readiness: ["yes", "partly"],
      prerequisites: ["met", "partly", "unmet", "unknown"],
    });
    expect(checked.ok).toBe(true);
  });

  it("refuses arrays of the wrong length, saying how many answers the pathway needs", () => {
    const checked = checkAnswers(pathway, { readiness: ["yes"], prerequisites: ["met", "met", "met", "met", "met"] });
    expect(checked).toEqual({
      ok: false,
      details: [
        {
          path: "/readiness",
          message: "must have 2 answers, one for each entry of the pathway's readiness, in order (got 1)",
        },
        {
          path: "/prerequisites",
          message: "must have 4 answers, one for each entry of the pathway's prerequisites, in order (got 5)",
        },
      ],
    });
  });

  it("refuses unknown answers and values that are not arrays, naming each", () => {
    const checked = checkAnswers(pathway, { readiness: ["yes", "maybe"], prerequisites: "met" });
    expect(checked).toEqual({
      ok: false,
      details: [
        { path: "/readiness/1", message: 'must be one of "yes", "partly", "no"' },
        { path: "/prerequisites", message: 'must be an array of "met", "partly", "unmet", "unknown"' },
      ],
    });
  });

  it("takes missing answers as none, which is right only for a pathway without entries", () => {
    expect(checkAnswers({}, {}).ok).toBe(true);
    expect(checkAnswers(pathway, {}).ok).toBe(false);
  });
});
