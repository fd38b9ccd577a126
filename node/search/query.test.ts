import { describe, expect, it } from "vitest";
import {
  compileQuery,
  DEFAULT_QUERY_LIMITS,
  QueryError,
  type QueryErrorReason,
  type QueryLimits,
  typoDistance,
} from "./query.ts";

function refusal(
  text: string,
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): { reason: QueryErrorReason; term?: string; limit?: number } | "compiled" {
  try {
    compileQuery(text, limits);
    return "compiled";
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    return { reason: error.reason, term: error.term, limit: error.limit };
  }
}

describe("query limits", () => {
  it("compileQuery() refuses a query longer than maxLength (too-long)", () => {
    expect(refusal("park ".repeat(60))).toEqual({ reason: "too-long", limit: 256 });
    expect(refusal("parkingparkingpa ".repeat(15).trim())).toBe("compiled");
  });

  it("compileQuery() refuses more than maxTerms search terms (too-many-terms); stop words do not count", () => {
    const words =
      "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec".split(
        " ",
      );
    expect(refusal(words.slice(0, 16).join(" "))).toBe("compiled");
    expect(refusal(words.join(" "))).toMatchObject({ reason: "too-many-terms", term: "quebec", limit: 16 });
    expect(refusal(`${words.slice(0, 16).join(" ")} the of and`)).toBe("compiled");
    // One clause can hold many words.
    expect(refusal(Array.from({ length: 17 }, (_, i) => `x${i}`).join("-"))).toMatchObject({
      reason: "too-many-terms",
    });
  });

  it("compileQuery() refuses a word or pattern longer than maxTermLength (term-too-long)", () => {
    expect(refusal("x".repeat(65))).toMatchObject({ reason: "term-too-long", limit: 64 });
    expect(refusal(`${"x".repeat(65)}*`)).toMatchObject({ reason: "term-too-long" });
    expect(refusal("x".repeat(64))).toBe("compiled");
  });

  it("compileQuery() refuses ~n above maxEditDistance (edit-distance), as for the issue's attacks", () => {
    expect(refusal("abcdefghijklmnop~6")).toMatchObject({
      reason: "edit-distance",
      term: "abcdefghijklmnop~6",
      limit: 2,
    });
    expect(refusal("governmen~7")).toMatchObject({ reason: "edit-distance", limit: 2 });
    expect(refusal("title:governmen~3")).toMatchObject({ reason: "edit-distance" });
    expect(refusal("governmen~2")).toBe("compiled");
    expect(refusal("abcdefghijklmnop~2")).toBe("compiled");
  });

  it("compileQuery() refuses ~1 on a word under 3 letters and ~2 under 6 (fuzzy-too-short)", () => {
    expect(refusal("ab~1")).toMatchObject({ reason: "fuzzy-too-short", term: "ab~1", limit: 3 });
    expect(refusal("parks~2")).toMatchObject({ reason: "fuzzy-too-short", limit: 6 });
    expect(refusal("cat~1")).toBe("compiled");
    expect(refusal("parking~2")).toBe("compiled");
    // A stop word compiles to nothing: nothing to expand, nothing to refuse.
    expect(refusal("the~2 park")).toBe("compiled");
  });

  it("compileQuery() refuses a wildcard with fewer than minPrefix letters before its first * (wildcard-prefix)", () => {
    expect(refusal("a*")).toMatchObject({ reason: "wildcard-prefix", term: "a*", limit: 2 });
    expect(refusal("*park")).toMatchObject({ reason: "wildcard-prefix" });
    expect(refusal("p*k")).toMatchObject({ reason: "wildcard-prefix" });
    expect(refusal("pa*")).toBe("compiled");
    // A lone * matches everything and was always ignored.
    expect(refusal("* park")).toBe("compiled");
  });

  it("compileQuery() never refuses what a person types for its syntax: it reads it as words", () => {
    for (const text of ["title:", "park~x", "call^high", "nosuchfield:x", "a\\b", "covid-19: response"])
      expect(refusal(text), text).toBe("compiled");
  });

  it("compileQuery() scopes to a field only for a known field name, in any case", () => {
    const fieldsOf = (text: string) => compileQuery(text).clauses.map((c) => c.fields.length);
    expect(fieldsOf("Title: budget")).toEqual([1]);
    expect(fieldsOf("title:budget")).toEqual([1]);
    // A pasted title: "mVoting:" is a word, so every word searches every field.
    const pasted = compileQuery("mVoting: residents vote on city questions from their phones");
    expect(pasted.clauses.every((c) => c.fields.length > 1)).toBe(true);
    expect(pasted.clauses[0]!.parts[0]![0]!.term).toBe(compileQuery("mvoting").clauses[0]!.parts[0]![0]!.term);
  });
});

describe("typo tolerance", () => {
  it("typoDistance() forgives no typo under 5 letters, one from 5 to 8, two from 9 on", () => {
    expect(["vote", "flod", "tax"].map(typoDistance)).toEqual([0, 0, 0]);
    expect(["votng", "voting", "dashbord"].map(typoDistance)).toEqual([1, 1, 1]);
    expect(["goverment", "partcipation"].map(typoDistance)).toEqual([2, 2]);
  });

  it("compileQuery() corrects a word as typed, not its stem, and never an excluded word", () => {
    const [typo] = compileQuery("voting").clauses[0]!.parts[0]!.slice(1);
    expect(typo).toMatchObject({ term: "voting", editDistance: 1, typo: true, asWritten: true });
    expect(compileQuery("vote").clauses[0]!.parts[0]).toHaveLength(1);
    expect(compileQuery("-voting").clauses[0]!.parts[0]).toHaveLength(1);
  });
});
