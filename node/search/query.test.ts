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
  it("compileQuery() searches a query longer than maxLength by its first words, ending between words", () => {
    const long = compileQuery("parking ".repeat(60));
    expect(long.shortened).toBe(true);
    // 256 characters hold 32 whole "parking " words; only 16 reach the index.
    expect(long.clauses).toHaveLength(16);
    expect(compileQuery("parkingparkingpa ".repeat(15).trim()).shortened).toBeUndefined();
    // Eight long words and a ninth that crosses the limit: the ninth is left out whole.
    const cut = compileQuery(`${"abcdefghijklmnopqrstuvwxyzabcd ".repeat(8)}budgeting`);
    expect(cut.shortened).toBe(true);
    expect(cut.clauses).toHaveLength(8);
    expect(JSON.stringify(cut)).not.toContain("budget");
  });

  it("compileQuery() searches the first maxTerms plain words of a longer query; stop words do not count", () => {
    const words =
      "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec".split(
        " ",
      );
    expect(compileQuery(words.slice(0, 16).join(" ")).shortened).toBeUndefined();
    const seventeen = compileQuery(words.join(" "));
    expect(seventeen.shortened).toBe(true);
    expect(seventeen.clauses).toHaveLength(16);
    expect(JSON.stringify(seventeen)).not.toContain("quebec");
    expect(compileQuery(`${words.slice(0, 16).join(" ")} the of and`).shortened).toBeUndefined();
    // One clause can hold many words: it keeps those within the limit.
    const joined = compileQuery(Array.from({ length: 17 }, (_, i) => `x${i}`).join("-"));
    expect(joined.shortened).toBe(true);
    expect(joined.clauses.flatMap((c) => c.parts)).toHaveLength(16);
  });

  it("compileQuery() refuses more than maxTerms search terms when the one beyond asks for an expansion (too-many-terms)", () => {
    const plain = Array.from({ length: 16 }, (_, i) => `word${i}`).join(" ");
    expect(refusal(`${plain} gov*`)).toMatchObject({ reason: "too-many-terms", term: "gov*", limit: 16 });
    expect(refusal(`${plain} governmen~2`)).toMatchObject({ reason: "too-many-terms", limit: 16 });
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
