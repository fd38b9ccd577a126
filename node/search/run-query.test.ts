import { describe, expect, it } from "vitest";
import { toIndexDoc } from "./documents.ts";
import { compileQuery, DEFAULT_QUERY_LIMITS, QueryError, type QueryErrorReason } from "./query.ts";
import { QueryBudget, runQuery } from "./run-query.ts";
import type { Segment } from "./segment.ts";
import { seoulDocs, segmentOf, testHead } from "./test-fixtures.ts";

/** A segment whose terms include a family of `park…` words and of `서…` bigrams. */
function segment(): Segment {
  return segmentOf(
    seoulDocs([
      {
        title: "Park data",
        summary: "Parks, parkas and parkers.",
        body: "Parking near the park, a party at the parkway, parlour and parsley.",
      },
      {
        title: "Bus data",
        summary: "Bus stops of the city.",
        body: "Parking for bikes. 서울 서대문 서초 서구 서면 서부 서비스",
      },
      { title: "Tax office hours", summary: "When offices open.", body: "Nothing about parks here." },
    ]),
  );
}

function runRefusal(text: string, budget: QueryBudget): QueryErrorReason | "ran" {
  try {
    runQuery(segment(), compileQuery(text, budget.limits), budget);
    return "ran";
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    return error.reason;
  }
}

describe("query limits", () => {
  it("runQuery() refuses an asked-for expansion matching more than maxExpansions terms (too-broad)", () => {
    const limits = { ...DEFAULT_QUERY_LIMITS, maxExpansions: 3 };
    expect(runRefusal("par*", new QueryBudget(limits))).toBe("too-broad");
    expect(runRefusal("parki*", new QueryBudget(limits))).toBe("ran");
    expect(runRefusal("parkin~2", new QueryBudget({ ...limits, maxExpansions: 1 }))).toBe("too-broad");
  });

  it("runQuery() counts an expansion's terms over every segment of the index", () => {
    const limits = { ...DEFAULT_QUERY_LIMITS, maxExpansions: 3 };
    const query = compileQuery("parka*");
    const other = segmentOf([
      toIndexDoc(
        testHead(9, {
          title: "Parkade",
          summary: "Parkades.",
          body: "parkadian parkaholic",
          city: "Seoul",
          country: "KR",
        }),
      ),
    ]);
    // Alone, each segment stays within three terms: parka; parkad, parkadian, parkahol.
    expect(runQuery(segment(), query, new QueryBudget(limits)).docs).toEqual([0]);
    expect(runQuery(other, query, new QueryBudget(limits)).docs).toEqual([0]);
    const budget = new QueryBudget(limits);
    runQuery(segment(), query, budget);
    expect(() => runQuery(other, query, budget)).toThrow(/more than 3 words/);
  });

  it("runQuery() cuts the expansions the engine adds itself to the most frequent, and never refuses them", () => {
    const limits = { ...DEFAULT_QUERY_LIMITS, maxExpansions: 1 };
    // "parkes" is within one typo of park, parks, parka, parker: typo tolerance keeps one of them.
    const typo = runQuery(segment(), compileQuery("parkes", limits), new QueryBudget(limits));
    expect(typo.matched.size).toBe(1);
    expect(typo.docs.length).toBeGreaterThan(0);
    // One Korean letter is a prefix of every bigram that starts with it.
    const korean = runQuery(segment(), compileQuery("서", limits), new QueryBudget(limits));
    expect(korean.docs).toEqual([1]);
    expect(korean.matched.size).toBe(1);
  });

  it("runQuery() stops with too-slow once the time budget is spent", () => {
    let now = 0;
    const budget = new QueryBudget({ ...DEFAULT_QUERY_LIMITS, timeBudgetMs: 100 }, () => now);
    expect(runRefusal("park", budget)).toBe("ran");
    now = 101;
    expect(runRefusal("park", budget)).toBe("too-slow");
  });

  it("QueryBudget counts the query's own running time, not its waits between segments", () => {
    let now = 0;
    const budget = new QueryBudget({ ...DEFAULT_QUERY_LIMITS, timeBudgetMs: 100 }, () => now);
    now = 60;
    budget.pause();
    now = 1_000; // waiting for its turn
    budget.resume();
    expect(budget.sliceMs()).toBe(0);
    now = 1_030;
    expect(() => budget.check()).not.toThrow();
    now = 1_041;
    expect(() => budget.check()).toThrow(/longer than 100 ms/);
  });
});
