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

/** The view of a local Seoul item at `/items/<n>` with `document`, plus any of `extra`. */
function viewOf(n: number, type: string, document: Record<string, unknown>, extra: Partial<ItemView> = {}): ItemView {
  const id = `http://seoul.test/items/${n}`;
  const path = `/items/${n}`;
  return {
    id,
    type,
    document: { id, ...document },
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
      address: { path },
    },
    linked: new Map(),
    original: false,
    path,
    ...extra,
  };
}

/** The page of a deleted item of `type`: its document is its Tombstone. */
function deletedPage(type: string, deletion?: ItemView["deletion"]): string {
  const tombstone = { type: "Tombstone", formerType: type, version: 2, deleted: "2026-02-01T00:00:00Z" };
  return renderItemPage(frame, viewOf(1, type, tombstone, { deleted: true, deletion }));
}

/** The page of a case study with `fields`, at a past version or with items linking to it. */
function casePage(fields: Record<string, unknown>, past?: ItemView["past"], linking?: ItemView["linking"]): string {
  const doc = { type: "CaseStudy", title: "mVoting", summary: "s", language: "en", ...fields };
  return renderItemPage(frame, viewOf(2, "CaseStudy", doc, { past, linking }));
}

describe("renderItemPage()", () => {
  it.each(["CaseStudy", "Pathway", "Dataset"])(
    "renders a deleted %s from its Tombstone: the notice, no sections, never its URL as the heading",
    (type) => {
      const page = deletedPage(type);
      expect(page).toContain(`<h1>${frame.t.deletedUntitled}</h1>`);
      expect(page).not.toContain("<h1>http://seoul.test/items/1</h1>");
      expect(page).not.toContain('id="dist-h"');
    },
  );

  it("heads a deleted item with its last title, says when and by whom, and links its last version", () => {
    const page = deletedPage("CaseStudy", {
      title: "mVoting <script>",
      date: "2026-02-01T00:00:00Z",
      by: "Seoul",
      lastVersion: 1,
    });
    expect(page).toContain("<h1>Deleted: mVoting &lt;script&gt;</h1>");
    expect(page).toContain("<title>Deleted: mVoting &lt;script&gt; · WeGO Exchange</title>");
    expect(page).toContain("Deleted on 2026-02-01 by Seoul.");
    expect(page).toContain(`<a href="/items/1?version=1">${frame.t.deletedLastVersion}</a>`);
  });

  it("shows a past version with a banner naming its number, the count and its date, and a link to the current one", () => {
    const page = casePage(
      { title: "Old title" },
      { version: 2, total: 5, createdAt: "2026-03-04T05:06:07Z", deletedSince: false },
    );
    expect(page).toContain("You are looking at version 2 of 5, from 2026-03-04.");
    expect(page).toContain(`<a href="/items/2">${frame.t.seeCurrent}</a>`);
    expect(page).toContain('<a href="/items/2?from=1&amp;to=2">what changed</a>');
    expect(page).toContain("<h1>Old title</h1>");
  });

  it("lists items that link here in the matching section, once, with a peer's host and how many more", () => {
    const page = casePage(
      { links: [{ rel: "pathway", href: "http://seoul.test/items/p1", title: "Own pathway" }] },
      undefined,
      new Map([
        [
          "Pathway",
          {
            total: 13,
            items: [
              { id: "http://seoul.test/items/p1", href: "/items/p1", title: "Own pathway" },
              {
                id: "http://busan.test/items/p2",
                href: "/library/item?id=x",
                title: "Busan's pathway",
                from: "busan.test",
              },
            ],
          },
        ],
        [
          "CaseStudy",
          { total: 1, items: [{ id: "http://seoul.test/items/c9", href: "/items/c9", title: "Eung-Dap-So" }] },
        ],
      ]),
    );
    expect(page.match(/Own pathway/g)).toHaveLength(1);
    expect(page).toContain('<h2 id="pathways-h">Pathways to adopt it</h2>');
    expect(page).toContain('Busan&#39;s pathway</a> <span class="badge">From busan.test</span>');
    expect(page).toContain("…and 11 more items link here.");
    expect(page).toContain('<h2 id="cases-h">Related cases</h2><ul><li><a href="/items/c9">Eung-Dap-So</a>');
  });

  it("leaves the outcomes' Year column out when no outcome has a year, and keeps it when one has", () => {
    const page = (outcomes: Record<string, unknown>[]) => casePage({ title: "Open budget", outcomes });
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

describe("renderItemPage() names fixed choices in the reader's language", () => {
  /** The page of a live item of `type` with `fields`, for a reader of `locale`. */
  function page(locale: "en" | "ko", type: string, fields: Record<string, unknown>): string {
    const doc = { type, title: "T", summary: "s", language: "en", ...fields };
    return renderItemPage({ ...frame, locale, t: stringsFor(locale) }, viewOf(3, type, doc));
  }

  const caseFields = {
    status: "active",
    stakeholders: [{ name: "Seoul Metropolitan Government", sector: "civil-society" }],
    costs: { amount: 1000, currency: "KRW", period: "annual" },
  };
  const pathwayFields = {
    prerequisites: [{ kind: "legal", description: "An ordinance", level: "required" }],
    phases: [{ name: "Pilot", duration: { min: 2, max: 4, unit: "months" }, steps: [{ title: "Try" }] }],
    suitedFor: { populationMin: 50000, incomeLevels: ["upper-middle", "high"], regions: ["East Asia"] },
  };

  it("a case's status, a stakeholder's sector and a cost's period, never their schema values", () => {
    const en = page("en", "CaseStudy", caseFields);
    expect(en).toMatch(/<dt>Status<\/dt>\s*<dd>Running<\/dd>/);
    expect(en).toContain('<span class="badge">Civil society</span>');
    expect(en).toContain("(spent every year)");
    const ko = page("ko", "CaseStudy", caseFields);
    expect(ko).toMatch(/<dd>운영 중<\/dd>/);
    expect(ko).not.toContain("civil-society");
    expect(ko).not.toMatch(/>active</);
  });

  it("themes and SDGs by name, each theme still a link to its filter, tags as written", () => {
    const fields = { themes: ["citizen-participation"], tags: ["mobile voting"], sdgs: [11, 16] };
    const en = page("en", "CaseStudy", fields);
    expect(en).toContain('<a href="/search?tag=citizen-participation">Citizen participation</a>');
    expect(en).toContain('<a href="/search?tag=mobile+voting">mobile voting</a>');
    expect(en).toMatch(/<dt>Sustainable Development Goals<\/dt><dd>11 Sustainable cities and communities, 16 /);
    const ko = page("ko", "CaseStudy", fields);
    expect(ko).toContain('<a href="/search?tag=citizen-participation">시민 참여</a>');
    expect(ko).toMatch(/<dt>지속가능발전목표\(SDGs\)<\/dt><dd>11 지속가능한 도시와 공동체, 16 /);
    expect(ko).not.toMatch(/>citizen-participation<|<dt>SDGs/);
  });

  it("a pathway's prerequisite kinds, duration units, income levels and the suits-for labels", () => {
    const en = page("en", "Pathway", pathwayFields);
    expect(en).toContain("<h3>Laws and rules</h3>");
    expect(en).toContain("Duration: 2–4 months");
    expect(en).toMatch(/<dt>Population<\/dt>/);
    expect(en).toContain("Upper-middle income");
    const ko = page("ko", "Pathway", pathwayFields);
    expect(ko).toContain("<h3>법과 제도</h3>");
    expect(ko).toContain("2–4개월");
    expect(ko).toMatch(/<dt>인구<\/dt>/);
    expect(ko).toContain("중고소득");
    expect(ko).not.toMatch(/>(Population|Income|Regions|Legal)</);
  });

  it("a dataset's update frequency", () => {
    const fields = { publisher: { name: "Seoul" }, accrualPeriodicity: "monthly", distributions: [] };
    expect(page("en", "Dataset", fields)).toMatch(/<dd>Every month<\/dd>/);
    expect(page("ko", "Dataset", fields)).toMatch(/<dd>매월<\/dd>/);
  });
});

describe("renderItemPage() version history in the reader's language", () => {
  const history = [
    {
      version: 2,
      createdAt: "2026-03-04T05:06:07Z",
      author: "user:kim",
      changed: ["tags", "translations"],
      deleted: false,
    },
    { version: 1, createdAt: "2026-03-01T00:00:00Z", author: "seed", changed: [], deleted: false },
  ];
  const page = (locale: "en" | "ko") => {
    const view = viewOf(2, "CaseStudy", { type: "CaseStudy", title: "mVoting", summary: "s", language: "en" });
    return renderItemPage(
      { ...frame, locale, t: stringsFor(locale) },
      { ...view, provenance: { ...view.provenance, history } },
    );
  };

  it("names the changed fields as the form does, and the seeds' author as the starter library, never 'seed'", () => {
    expect(page("en")).toContain("changed: Other keywords, Translations</small>");
    expect(page("en")).toContain(" · by kim");
    expect(page("en")).toContain(" · from the starter library");
    const ko = page("ko");
    expect(ko).toContain("변경: 기타 검색어, 번역</small>");
    expect(ko).toContain(" · 기본 제공 자료");
    expect(ko).not.toMatch(/작성 seed|: tags|translations</);
  });
});
