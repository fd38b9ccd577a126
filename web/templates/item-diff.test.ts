import { describe, expect, it } from "vitest";
import { stringsFor } from "../i18n.ts";
import { changedFieldsBetween, renderComparePage, renderFieldChange, wordDiff } from "./item-diff.ts";
import type { PageFrame } from "./layout.ts";

const t = stringsFor("en");
const frame: PageFrame = { locale: "en", t, title: "Compare", cityName: "Seoul", url: "/items/x?from=1&to=2" };

describe("changedFieldsBetween()", () => {
  it("names only the fields whose values differ, with plain labels, managed fields left out", () => {
    const changes = changedFieldsBetween(
      { title: "A", tags: ["x"], costs: { amount: 1, currency: "KRW" }, version: 1, updated: "u1" },
      { title: "A", tags: ["x", "y"], costs: { currency: "KRW", amount: 1 }, version: 2, updated: "u2" },
      "en",
    );
    expect(changes.map((c) => c.field)).toEqual(["tags"]);
    expect(changes[0]?.label).toBe("Other keywords");
  });
});

describe("wordDiff()", () => {
  it("marks removed words with <del> and added ones with <ins>, and escapes both", () => {
    const out = String(wordDiff(t, "Residents vote <b>often</b>", "Residents vote <i>rarely</i>"));
    expect(out).toContain("Residents vote ");
    expect(out).toContain("<del>");
    expect(out).toContain("<ins>");
    expect(out).toContain("<del>often</del><ins>rarely</ins>");
    expect(out).toContain("&lt;");
    expect(out).not.toContain("<i>");
    expect(out).not.toContain("<b>");
  });

  it("shows both texts whole when they differ too much to mark word by word", () => {
    const before = Array.from({ length: 2000 }, (_, i) => `a${i}`).join(" ");
    const after = Array.from({ length: 2000 }, (_, i) => `b${i}`).join(" ");
    const out = String(wordDiff(t, before, after));
    expect(out).toContain(t.diffTooLong);
    expect(out).toContain(`<del>${before}</del>`);
    expect(out).toContain(`<ins>${after}</ins>`);
  });
});

describe("renderFieldChange()", () => {
  it("lists a list's added and removed entries, and marks a changed record word by word", () => {
    const tags = String(
      renderFieldChange(t, "en", { field: "tags", label: "Tags", before: ["kept", "gone"], after: ["kept", "new"] }),
    );
    expect(tags).toContain("<li>kept</li>");
    expect(tags).toContain("<del>gone</del>");
    expect(tags).toContain("<ins>new</ins>");
    const outcomes = String(
      renderFieldChange(t, "en", {
        field: "outcomes",
        label: "Outcomes",
        before: [{ metric: "Users", value: 1200 }],
        after: [{ metric: "Users", value: 1500 }],
      }),
    );
    expect(outcomes).toContain("Figure: <del>1200</del><ins>1500</ins>");
  });
});

describe("renderComparePage()", () => {
  it("heads the page with the item, names both versions and says how many fields did not change", () => {
    const page = renderComparePage(frame, {
      type: "CaseStudy",
      title: "mVoting",
      address: { path: "/items/x" },
      from: { version: 1, createdAt: "2026-01-01T00:00:00Z", document: { title: "mVoting", summary: "Old words" } },
      to: { version: 2, createdAt: "2026-02-01T00:00:00Z", document: { title: "mVoting", summary: "New words" } },
      versions: [2, 1],
    });
    expect(page).toContain("<h1>Changes to “mVoting”</h1>");
    expect(page).toContain("From version 1 (2026-01-01) to version 2 (2026-02-01).");
    expect(page).toContain(`<dt>${t.summary}</dt>`);
    expect(page).toContain("1 other field is unchanged.");
    expect(page).toContain(
      '<select id="compare-from" name="from"><option value="2">Version 2</option><option value="1" selected>',
    );
  });
});
