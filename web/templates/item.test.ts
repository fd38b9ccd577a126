import { describe, expect, it } from "vitest";
import { stringsFor } from "../i18n.ts";
import { renderItemPage, type ItemView } from "./item.ts";
import type { PageFrame } from "./layout.ts";

const frame: PageFrame = {
  locale: "en",
  t: stringsFor("en"),
  title: "Item",
  cityName: "Seoul",
  url: "/items/1",
  csrf: "tok",
};

/** The page of a deleted item of `type`: its document is its Tombstone. */
function deletedPage(type: string): string {
  const id = "http://seoul.test/items/1";
  const view: ItemView = {
    id,
    type,
    document: { id, type: "Tombstone", formerType: type, version: 2, deleted: "2026-02-01T00:00:00Z" },
    html: {},
    deleted: true,
    provenance: { id, city: "Seoul", origin: "http://seoul.test", local: true, verified: true, kid: null, history: [] },
    linked: new Map(),
    original: false,
    path: "/items/1",
  };
  return renderItemPage(frame, view);
}

describe("renderItemPage()", () => {
  it.each(["CaseStudy", "Pathway", "Dataset"])(
    "renders a deleted %s from its Tombstone: the notice, no sections",
    (type) => {
      const page = deletedPage(type);
      expect(page).toContain(`<h1>http://seoul.test/items/1</h1><p class="alert">${frame.t.deleted}</p>`);
      expect(page).not.toContain('id="dist-h"');
    },
  );

  it("leaves the outcomes' Year column out when no outcome has a year, and keeps it when one has", () => {
    const id = "http://seoul.test/items/2";
    const page = (outcomes: Record<string, unknown>[]) =>
      renderItemPage(frame, {
        id,
        type: "CaseStudy",
        document: { id, type: "CaseStudy", title: "Open budget", summary: "s", language: "en", outcomes },
        html: {},
        deleted: false,
        provenance: {
          id,
          city: "Seoul",
          origin: "http://seoul.test",
          local: true,
          verified: true,
          kid: null,
          history: [],
        },
        linked: new Map(),
        original: false,
        path: "/items/2",
      });
    const yearHeader = `<th scope="col">${frame.t.year}</th>`;
    expect(page([{ metric: "Users", value: 1200 }])).not.toContain(yearHeader);
    expect(
      page([
        { metric: "Users", value: 1200 },
        { metric: "Calls", value: 3, year: 2015 },
      ]),
    ).toContain(yearHeader);
  });
});
