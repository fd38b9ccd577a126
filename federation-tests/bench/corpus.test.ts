import { describe, expect, it } from "vitest";
import { createDocumentValidator } from "../../node/library/validation.ts";
import { generateCorpus } from "./corpus.ts";

describe("generateCorpus()", () => {
  it("makes schema-valid drafts of every type with bodies of 500–3,000 words, the same each run", () => {
    const validator = createDocumentValidator();
    const drafts = generateCorpus(60);
    expect(new Set(drafts.map((d) => d.type))).toEqual(new Set(["CaseStudy", "Pathway", "Dataset"]));
    for (const [i, draft] of drafts.entries()) {
      const doc = {
        ...draft,
        id: `https://x.example/items/${i}`,
        attributedTo: "https://x.example/cities/x",
        published: "2026-01-01T00:00:00Z",
        updated: "2026-01-01T00:00:00Z",
        version: 1,
      };
      expect(validator.validate(doc)).toEqual({ ok: true });
      if (draft.type !== "Dataset") {
        const n = String(draft.body).split(/\s+/).length;
        expect(n).toBeGreaterThanOrEqual(500);
        expect(n).toBeLessThanOrEqual(3300);
      }
    }
    expect(generateCorpus(3)).toEqual(generateCorpus(3));
  });
});
