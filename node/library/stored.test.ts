import { describe, expect, it } from "vitest";
import { changedFields } from "./stored.ts";

describe("changedFields()", () => {
  it("names the top-level properties whose values differ, ignoring the managed version stamps", () => {
    const before = { title: "A", tags: ["x"], updated: "2026-01-01T00:00:00Z", version: 1 };
    const after = { title: "A", tags: ["x", "y"], summary: "new", updated: "2026-02-01T00:00:00Z", version: 2 };
    expect(changedFields(before, after)).toEqual(["summary", "tags"]);
  });

  it("does not count the same object with its keys in another order as a change", () => {
    const before = {
      outcomes: [{ metric: "Users", value: 1200, source: "study" }],
      links: [{ rel: "pathway", href: "h" }],
    };
    const after = {
      outcomes: [{ source: "study", metric: "Users", value: 1200 }],
      links: [{ href: "h", rel: "pathway" }],
    };
    expect(changedFields(before, after)).toEqual([]);
  });

  it("counts a reordered list as a change: order is content", () => {
    expect(changedFields({ tags: ["a", "b"] }, { tags: ["b", "a"] })).toEqual(["tags"]);
  });
});
