import { describe, expect, it } from "vitest";
import { bigrams, foldText, indexTerms, stripMarkdown } from "./text.ts";
import { compileQuery, QueryError } from "./query.ts";

describe("search text", () => {
  it("foldText() drops accents and case but keeps Hangul syllables whole", () => {
    expect(foldText("São Paulo ÉCOLE")).toBe("sao paulo ecole");
    expect(foldText("서울시의")).toBe("서울시의");
  });

  it("indexTerms() stems Latin words, drops stop words and indexes CJK words with their bigrams", () => {
    expect(indexTerms("The complaints of Seoul")).toEqual(["complaint", "seoul"]);
    expect(indexTerms("서울시의 응답소")).toEqual(["서울시의", "서울", "울시", "시의", "응답소", "응답", "답소"]);
    // "so" is one of lunr's English stop words.
    expect(indexTerms("Eung-Dap-So(응답소)")).toEqual(["eung", "dap", "응답소", "응답", "답소"]);
    expect(bigrams("서울")).toEqual(["서울"]);
  });

  it("stripMarkdown() keeps the words and drops link targets and markup", () => {
    expect(stripMarkdown("## Title\n\nSee [the **map**](https://x.test/a) <br> | a | b |\n|---|---|")).toBe(
      "Title\n\nSee the map a b",
    );
  });

  it("compileQuery() turns lunr syntax into parts, forgives syntax that cannot apply, and throws QueryError beyond a limit", () => {
    const { clauses } = compileQuery("+budget -tax title:응답소 gov* complant");
    expect(clauses.map((c) => [c.presence, c.fields.length, c.parts.length])).toEqual([
      ["required", 9, 1],
      ["prohibited", 9, 1],
      ["optional", 1, 2],
      ["optional", 9, 1],
      ["optional", 9, 1],
    ]);
    expect(clauses[4]!.parts[0]).toEqual([
      { term: "complant", boost: 1 },
      // Typo tolerance compares the word as typed with the index's words as written.
      { term: "complant", expand: true, editDistance: 1, boost: 0.2, typo: true, asWritten: true },
    ]);
    // Syntax that cannot apply is read as words, never thrown back at the reader.
    expect(compileQuery("x^y").clauses.map((c) => c.parts.map((p) => p[0]!.term))).toEqual([["x", "y"]]);
    expect(() => compileQuery("x".repeat(2000))).toThrow(QueryError);
  });
});
