import lunr from "lunr";
import { describe, expect, it } from "vitest";
import { expandFuzzy, expandWildcard } from "./expand.ts";

// @types/lunr declares TokenSet's static constructors as instance methods.
const TokenSets = lunr.TokenSet as unknown as {
  fromArray(terms: string[]): lunr.TokenSet;
  fromString(pattern: string): lunr.TokenSet;
  fromFuzzyString(term: string, editDistance: number): lunr.TokenSet;
};

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function createRandom(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Many short words over a tiny alphabet: every word has many neighbours within two edits. */
function corpus(alphabet: string, seed: number) {
  const rand = createRandom(seed);
  const word = (min: number, max: number) => {
    let s = "";
    for (let i = 0, n = min + Math.floor(rand() * (max - min + 1)); i < n; i++)
      s += alphabet[Math.floor(rand() * alphabet.length)];
    return s;
  };
  const terms = [...new Set(Array.from({ length: 3000 }, () => word(1, 9)))].sort();
  return { terms, word, rand, set: TokenSets.fromArray(terms) };
}

const UNBOUNDED = { maxTerms: Number.MAX_SAFE_INTEGER, maxSteps: Number.MAX_SAFE_INTEGER };

describe("expand", () => {
  it("expandFuzzy() finds exactly the terms lunr's TokenSet.fromFuzzyString finds, for edit distances 1 to 3", () => {
    for (const [alphabet, seed] of [
      ["abcde", 1],
      ["ab", 2],
      ["abc", 3],
    ] as const) {
      const { terms, word, rand, set } = corpus(alphabet, seed);
      for (let k = 0; k < 150; k++) {
        const term = word(1, 8);
        const d = 1 + Math.floor(rand() * 3);
        const lunrs = set.intersect(TokenSets.fromFuzzyString(term, d)).toArray().sort();
        expect(expandFuzzy(terms, term, d, UNBOUNDED).terms, `${term}~${d}`).toEqual(lunrs);
      }
    }
  });

  it("expandWildcard() finds exactly the terms lunr's TokenSet.fromString finds, for prefixes and inner wildcards", () => {
    const { terms, word, rand, set } = corpus("abcd", 4);
    for (let k = 0; k < 300; k++) {
      let pattern = word(1, 2);
      for (let i = 0, n = 1 + Math.floor(rand() * 3); i < n; i++) pattern += `*${word(0, 2)}`;
      const lunrs = set.intersect(TokenSets.fromString(pattern)).toArray().sort();
      expect(expandWildcard(terms, pattern, UNBOUNDED).terms.sort(), pattern).toEqual(lunrs);
    }
  });

  it("expandFuzzy() of a 16-letter term at 6 edits stops at its step limit at once (lunr's ran out of memory)", () => {
    const { terms } = corpus("abcdefghijklmnop", 5);
    const started = performance.now();
    const result = expandFuzzy(terms, "abcdefghijklmnop", 6, { maxTerms: 256, maxSteps: 5_000 });
    expect(result.overflow).toBeDefined();
    expect(result.steps).toBeLessThanOrEqual(5_001);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("expandWildcard() reports an overflow beyond maxTerms or maxSteps, with what it found so far", () => {
    const terms = ["park", "parka", "parker", "parking", "parks", "party", "path"];
    expect(expandWildcard(terms, "par*", { maxTerms: 10, maxSteps: 10 })).toEqual({
      terms: ["park", "parka", "parker", "parking", "parks", "party"],
      steps: 1,
    });
    expect(expandWildcard(terms, "par*", { maxTerms: 3, maxSteps: 10 }).overflow).toBe("terms");
    expect(expandWildcard(terms, "par*s", { maxTerms: 10, maxSteps: 10 }).terms).toEqual(["parks"]);
    expect(expandWildcard(terms, "pa*k*", { maxTerms: 10, maxSteps: 3 }).overflow).toBe("steps");
    expect(expandFuzzy(terms, "parks", 1, { maxTerms: 2, maxSteps: 1_000 }).overflow).toBe("terms");
  });
});
