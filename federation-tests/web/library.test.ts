import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { poll, removeDir, startNodeProcess, tempDir, type NodeProcess } from "../support.ts";
import { accessibilityViolations, addUser, BROWSER_AVAILABLE, launchBrowser, logIn } from "./browser.ts";

// One seeded Seoul node and one browser for the whole file; pages are opened per test.
let node: NodeProcess;
let browser: Browser;
let dataDir: string;
const violations: string[] = [];

beforeAll(async () => {
  if (!BROWSER_AVAILABLE) return;
  dataDir = tempDir("wego-web-");
  addUser(dataDir, "editor", "seoul-editor", "a long editor password");
  [node, browser] = await Promise.all([startNodeProcess({ dataDir }), launchBrowser()]);
  // The node serves before its index holds the seeds (pages that search answer 503 until then).
  await poll("the search index to be ready", async () => (await fetch(`${node.url}/readyz`)).ok, 120_000, 200);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
  removeDir(dataDir);
});

async function withPage<T>(
  fn: (page: Page) => Promise<T>,
  options: Parameters<Browser["newContext"]>[0] = {},
): Promise<T> {
  const context = await browser.newContext({ locale: "en-US", ...options });
  const page = await context.newPage();
  // A blocked script or style shows up as a console error: count it with the axe findings.
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text()))
      violations.push(`${page.url()} CSP: ${m.text()}`);
  });
  try {
    return await fn(page);
  } finally {
    await context.close();
  }
}

async function audit(page: Page): Promise<void> {
  violations.push(...(await accessibilityViolations(page)));
}

describe.skipIf(!BROWSER_AVAILABLE)("reading the library in a browser", () => {
  it("searches, narrows with a facet, and opens a case and its pathway", async () => {
    await withPage(async (page) => {
      await page.goto(node.url);
      await audit(page);
      await page.getByLabel("Search the network's library").fill("mobile voting");
      await page.getByRole("button", { name: "Search" }).click();
      await page.waitForURL(/\/search\?q=mobile\+voting/);
      await expect(page.getByRole("heading", { level: 2, name: /results for “mobile voting”/ }).count()).resolves.toBe(
        1,
      );
      await audit(page);

      await page
        .locator(".facets")
        .getByRole("link", { name: /^Case study/ })
        .click();
      await page.waitForURL(/type=CaseStudy/);
      const types = await page.locator(".results .type").allTextContents();
      expect(types.length).toBeGreaterThan(0);
      expect(new Set(types.map((t) => t.trim().toLowerCase()))).toEqual(new Set(["case study"]));
      expect(page.url()).toContain("q=mobile+voting");
      await audit(page);

      await page.getByRole("link", { name: /^mVoting: residents vote/ }).click();
      await page.waitForURL(/\/items\/case-mvoting$/);
      await expect(page.locator("aside.provenance").textContent()).resolves.toContain(
        "Signed by Seoul; the signature is valid.",
      );
      await expect(page.locator("#outcomes-h").count()).resolves.toBe(1);
      await audit(page);

      await page.locator("#pathways-h + ul a").first().click();
      await page.waitForURL(/\/items\/pathway-mvoting$/);
      await expect(page.getByRole("heading", { level: 2, name: "Prerequisites" }).count()).resolves.toBe(1);
      await expect(page.locator(".phases > li").count()).resolves.toBeGreaterThan(1);
      await audit(page);
    });
  }, 300_000);

  it("shows datasets, cities, an empty search, no results, a missing page and Korean pages without accessibility violations", async () => {
    await withPage(async (page) => {
      // Keyboard: the first Tab reaches the skip link, which moves focus to the content.
      await page.goto(node.url);
      await page.keyboard.press("Tab");
      await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe("Skip to content");
      await page.keyboard.press("Enter");
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe("main");
      for (const path of [
        "/items/dataset-egov-phases",
        "/library/cities",
        "/library/cities/Seoul",
        "/search",
        "/search?q=zzzzqqq",
        "/items/nothing-here",
        "/no/such/page",
        "/no/such/page?lang=ko",
        "/login",
        "/api",
        "/?lang=ko",
        "/api",
      ]) {
        await page.goto(node.url + path);
        await audit(page);
        // A seed dataset's CSV file is previewed as a table; every item page has a Cite this box.
        if (path === "/items/dataset-egov-phases") {
          await expect(page.locator(".csv-preview table caption").first().textContent()).resolves.toMatch(/^The first/);
          await expect(page.getByRole("heading", { name: "Cite this" }).count()).resolves.toBe(1);
        }
      }
      await expect(page.locator("html").getAttribute("lang")).resolves.toBe("ko");
      // An unknown path is a page in the reader's language, not JSON.
      const missing = await page.goto(`${node.url}/no/such/page`);
      expect(missing?.status()).toBe(404);
      expect(missing?.headers()["content-type"]).toMatch(/^text\/html/);
      await expect(page.locator("h1").textContent()).resolves.toMatch(/[가-힣]/);
      // Search as you type (web/static/search.js): results and the address follow the words.
      await page.goto(`${node.url}/search`);
      await page.locator("#q").pressSequentially("ETAX", { delay: 50 });
      await page.waitForFunction(() => location.search.includes("q=ETAX"));
      await expect(page.locator("#results-h").textContent()).resolves.toContain("ETAX");
      // …and so does the feed a reader's feed reader finds in the head.
      await expect(
        page
          .locator("head link[rel=alternate][type='application/atom+xml']")
          .evaluateAll((links) => links.map((l) => l.getAttribute("href"))),
      ).resolves.toEqual([expect.stringMatching(/^\/feed\.atom\?q=ETAX/)]);
      await page.goto(`${node.url}/items/case-mvoting`);
      // The language choice is remembered: the Korean translation is shown.
      await expect(page.locator("h1").textContent()).resolves.toContain("엠보팅");
      await audit(page);
    });
  }, 300_000);

  it("at the narrowest width that still shows tables as tables, no header breaks across lines ('Ye/ar'), in English and Korean; axe clean there and on a phone", async () => {
    await withPage(
      async (page) => {
        for (const path of ["/items/case-wego?lang=en", "/items/case-wego?lang=ko", "/items/pathway-gis"]) {
          await page.goto(node.url + path);
          // Each header's text sits on one line: its rectangles share one top (a wrapped word has two).
          const broken = await page.locator("table th").evaluateAll((cells) =>
            cells
              .filter((th) => {
                const range = document.createRange();
                range.selectNodeContents(th);
                const rects = [...range.getClientRects()].filter((r) => r.width > 0);
                return new Set(rects.map((r) => Math.round(r.top))).size > 1;
              })
              .map((th) => th.textContent),
          );
          expect(await page.locator("table th").count(), path).toBeGreaterThan(1);
          expect(broken, path).toEqual([]);
          await audit(page);
        }
        await page.goto(`${node.url}/items/case-wego?lang=en`);
        await expect(page.locator("table th").allTextContents()).resolves.toContain("Year");
        // On a phone the outcomes are stacked, each value named by its header.
        await page.setViewportSize({ width: 390, height: 844 });
        await expect(page.locator("table.stack thead").isVisible()).resolves.toBe(false);
        await expect(page.locator('table.stack td[data-label="Year"]').first().isVisible()).resolves.toBe(true);
        await audit(page);
      },
      // 50rem (800 px) and narrower stack the tables; 820 px is the tightest width with headers shown.
      { viewport: { width: 820, height: 1180 } },
    );
  }, 120_000);
});

describe.skipIf(!BROWSER_AVAILABLE)("publishing in a browser", () => {
  it("logs in, publishes a case after fixing one validation error, and finds it in search", async () => {
    await withPage(async (page) => {
      await logIn(page, node.url, "seoul-editor", "a long editor password");
      // Peering is for admins: an editor gets a 403 page.
      expect((await page.goto(`${node.url}/admin/peers`))?.status()).toBe(403);
      await page.goto(`${node.url}/official/new`);
      await audit(page);
      await page.getByRole("link", { name: "Case study" }).click();
      await page.getByLabel(/^Title \(/).fill("Open budget dashboard for every district");
      await page.getByLabel(/^Summary \(/).fill("Every line of the district budgets, searchable by residents.");
      await page.getByLabel(/^Year it started/).fill("1900");
      await page.getByLabel(/^The full case/).fill("## Why\n\nResidents asked where the money goes.");
      await page.getByRole("button", { name: "Publish", exact: true }).click();

      const error = page.locator("#f-startYear-error");
      await expect(error.textContent()).resolves.toContain("at least 1950");
      await expect(page.getByLabel(/^Title \(/).inputValue()).resolves.toBe("Open budget dashboard for every district");
      await audit(page);

      await page.getByLabel(/^Year it started/).fill("2021");
      await page.getByRole("button", { name: "Publish", exact: true }).click();
      await page.waitForURL(/\/items\/.+/);
      await expect(page.locator(".flash").textContent()).resolves.toContain("Published and signed");
      await expect(page.locator(".prose h2").first().textContent()).resolves.toBe("Why");
      await audit(page);

      const found = await pollSearch(page, "budget dashboard");
      expect(found).toBe(true);
      await page.getByRole("link", { name: "Open budget dashboard for every district" }).click();
      await page.getByRole("link", { name: "Delete" }).click();
      await audit(page);
    });
  }, 300_000);

  it("editing only a seeded case's tags records exactly that the tags changed", async () => {
    await withPage(async (page) => {
      await logIn(page, node.url, "seoul-editor", "a long editor password");
      await page.goto(`${node.url}/official/edit?${new URLSearchParams({ id: `${node.url}/items/case-mvoting` })}`);
      const tags = page.locator('[name="/tags"]');
      await tags.fill(`${await tags.inputValue()}\nphone polls`);
      await page.locator(".form-actions button[value=save]").click();
      await page.waitForURL(/\/items\/case-mvoting$/);
      const newest = page.locator("aside.provenance li").first();
      await expect(newest.textContent()).resolves.toMatch(/^Version 2 .*changed: Other keywords$/s);
    });
  }, 120_000);
});

describe.skipIf(!BROWSER_AVAILABLE)("an item from both ends and through its versions", () => {
  it("lists datasets that point at a case, opens a past version and compares two versions, on a phone too", async () => {
    await withPage(async (page) => {
      // Oasis links to one dataset itself; two more name it among their related cases.
      await page.goto(`${node.url}/items/case-oasis`);
      const datasets = await page.locator("#datasets-h + ul a").allTextContents();
      expect(datasets).toContain("Seoul Mobile Master Plan (November 2013): strategies and tasks");
      expect(datasets).toContain("Seoul e-government development phases, 1990–2020");

      await logIn(page, node.url, "seoul-editor", "a long editor password");
      await page.goto(`${node.url}/official/edit?${new URLSearchParams({ id: `${node.url}/items/case-oasis` })}`);
      const summary = page.locator('[name="/summary"]');
      await summary.fill((await summary.inputValue()).replace(/^The Oasis/, "Seoul's Oasis"));
      await page.locator(".form-actions button[value=save]").click();
      await page.waitForURL(/\/items\/case-oasis$/);

      await page.locator("aside.provenance").getByRole("link", { name: "Version 1", exact: true }).click();
      await page.waitForURL(/\/items\/case-oasis\?version=1$/);
      await expect(page.locator(".version-banner").textContent()).resolves.toMatch(
        /You are looking at version 1 of 2, from \d{4}-\d\d-\d\d\./,
      );
      await expect(page.locator("article .summary").textContent()).resolves.toMatch(/^The Oasis/);
      await audit(page);

      await page.getByRole("link", { name: "See the current version" }).click();
      await page.waitForURL(/\/items\/case-oasis$/);
      await page.getByLabel("From version").selectOption("1");
      await page.getByLabel("to version").selectOption("2");
      await page.getByRole("button", { name: "Compare" }).click();
      await page.waitForURL(/from=1&to=2/);
      await expect(page.locator("h1").textContent()).resolves.toMatch(/^Changes to “Oasis of 10 Million Imagination/);
      await expect(page.locator(".diff dt").allTextContents()).resolves.toEqual(["Summary"]);
      await expect(page.locator(".diff ins").first().textContent()).resolves.toContain("Seoul's");
      await audit(page);
      await page.setViewportSize({ width: 390, height: 844 });
      await audit(page);
      await page.goto(`${node.url}/items/case-oasis?version=1`);
      await audit(page);
    });
  }, 300_000);
});

describe.skipIf(!BROWSER_AVAILABLE)("filling a case study's form", () => {
  /** Fills what every case needs, with pickers and a Korean title, on the open new-case form. */
  async function fillCase(page: Page, title: string): Promise<void> {
    await page.getByLabel(/^Title \(/).fill(title);
    await page.getByLabel("Title in Korean").fill("구별 예산 공개");
    await page.getByLabel(/^Summary \(/).fill("Residents see every line of the budget.");
    await page.getByLabel("Summary in Korean").fill("주민이 예산의 모든 항목을 봅니다.");
    await page.getByLabel(/^Language of the text/).selectOption({ label: "English" });
    await page.getByLabel(/^Where it stands today/).selectOption({ label: "Running" });
    await page.getByLabel(/^The full case/).fill("Residents asked where the money goes.");
    await page.getByLabel("Voting online").check();
    await page.getByLabel("11 Sustainable cities and communities").check();
    // Results need nothing, so a new form folds them away until opened (a <details>, no script needed).
    await expect(page.locator("#section-results").getAttribute("open")).resolves.toBeNull();
    await page.locator("#section-results > summary").click();
  }

  async function documentOf(page: Page): Promise<Record<string, unknown>> {
    const id = new URL(page.url()).pathname;
    const res = await fetch(`${node.url}/api/items?${new URLSearchParams({ id: node.url + id })}`);
    return ((await res.json()) as { document: Record<string, unknown> }).document;
  }

  it("with JavaScript, adds and removes result rows in place without a page load, and publishes them", async () => {
    await withPage(async (page) => {
      await logIn(page, node.url, "seoul-editor", "a long editor password");
      await page.goto(`${node.url}/official/new/CaseStudy`);
      await audit(page);
      await fillCase(page, "Budget lines for every district");
      // A marker on the window survives only if the page is not loaded again.
      await page.evaluate(() => Object.assign(window, { sameDocument: true }));
      const add = page.getByRole("button", { name: "Add another: Result" });
      await add.click();
      await expect(page.evaluate(() => document.activeElement?.getAttribute("name"))).resolves.toBe(
        "/outcomes/0/metric",
      );
      await page.getByLabel("What was measured").fill("Districts covered");
      await page.getByLabel(/^Figure/).fill("25");
      await add.click();
      await add.click();
      await expect(page.locator("#f-outcomes .row-legend").allTextContents()).resolves.toEqual([
        "Result 1",
        "Result 2",
        "Result 3",
      ]);
      await expect(page.evaluate(() => document.activeElement?.getAttribute("name"))).resolves.toBe(
        "/outcomes/2/metric",
      );
      await page.getByRole("button", { name: "Remove Result 2" }).click();
      await expect(page.locator("#f-outcomes .row-legend").allTextContents()).resolves.toEqual([
        "Result 1",
        "Result 2",
      ]);
      await page.locator('[name="/outcomes/2/metric"]').fill("Budget lines published");
      await page.locator('[name="/outcomes/2/value"]').fill("1,200 lines a year");
      // A phase's steps: nested rows get their own numbering (checked on the pathway form).
      await expect(page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).resolves.toBe(
        true,
      );
      await audit(page);
      await page.setViewportSize({ width: 390, height: 844 });
      await audit(page);
      await page.locator(".form-actions button[value=save]").click();
      await page.waitForURL(/\/items\/.+/);
      const doc = await documentOf(page);
      expect(doc.outcomes).toEqual([
        { metric: "Districts covered", value: 25 },
        { metric: "Budget lines published", value: "1,200 lines a year" },
      ]);
      expect(doc.translations).toEqual({
        ko: { title: "구별 예산 공개", summary: "주민이 예산의 모든 항목을 봅니다." },
      });
      expect(doc.themes).toEqual(["e-voting"]);
      expect(doc.sdgs).toEqual([11]);
      expect(doc.status).toBe("active");
    });
  }, 300_000);

  it("with JavaScript, a new phase of a pathway comes with its own first step, and the case is picked by name", async () => {
    await withPage(async (page) => {
      await logIn(page, node.url, "seoul-editor", "a long editor password");
      await page.goto(`${node.url}/official/new/Pathway`);
      const picker = page.getByLabel(/^The case it helps other cities adopt/);
      const label =
        (await picker
          .locator("option", { hasText: /^mVoting/ })
          .first()
          .textContent()) ?? "";
      expect(label).toMatch(/\(Seoul\)$/);
      await picker.selectOption({ label });
      await page.getByRole("button", { name: "Add another: Phase" }).click();
      const lastPhase = page.locator("#f-phases > .row-list > fieldset.row").last();
      await expect(lastPhase.locator(".row-list .row-legend").allTextContents()).resolves.toEqual(["Step 1"]);
      await lastPhase.getByRole("button", { name: "Add another: Step" }).click();
      await expect(lastPhase.locator(".row-list .row-legend").allTextContents()).resolves.toEqual(["Step 1", "Step 2"]);
      await expect(page.locator('[name="/case"]').inputValue()).resolves.toBe(`${node.url}/items/case-mvoting`);
      await audit(page);
    });
  }, 120_000);

  it("without JavaScript, Add another and Remove reload the form with the rows changed, and it publishes", async () => {
    await withPage(
      async (page) => {
        await logIn(page, node.url, "seoul-editor", "a long editor password");
        await page.goto(`${node.url}/official/new/CaseStudy`);
        await fillCase(page, "Budget lines without scripts");
        await page.getByRole("button", { name: "Add another: Result" }).click();
        await page.waitForLoadState("load");
        await page.getByLabel("What was measured").fill("Districts covered");
        await page.getByLabel(/^Figure/).fill("25");
        await page.getByRole("button", { name: "Add another: Result" }).click();
        await page.waitForLoadState("load");
        await expect(page.locator("#f-outcomes .row-legend").allTextContents()).resolves.toEqual([
          "Result 1",
          "Result 2",
        ]);
        await expect(page.getByLabel("Title in Korean").inputValue()).resolves.toBe("구별 예산 공개");
        await page.locator('[name="/outcomes/1/metric"]').fill("Lines published");
        await page.locator('[name="/outcomes/1/value"]').fill("1200");
        await page.getByRole("button", { name: "Remove Result 1" }).click();
        await page.waitForLoadState("load");
        await expect(page.locator("#f-outcomes .row-legend").allTextContents()).resolves.toEqual(["Result 1"]);
        // No axe here: it runs as a script in the page, which this context does not allow (the
        // same form is audited with JavaScript on, above).
        await page.locator(".form-actions button[value=save]").click();
        await page.waitForURL(/\/items\/.+/);
        const doc = await documentOf(page);
        expect(doc.outcomes).toEqual([{ metric: "Lines published", value: 1200 }]);
        expect((doc.translations as Record<string, { title: string }>).ko?.title).toBe("구별 예산 공개");
      },
      { javaScriptEnabled: false },
    );
  }, 300_000);

  it("the Korean form has Korean hints and is accessible on a phone", async () => {
    await withPage(
      async (page) => {
        await logIn(page, node.url, "seoul-editor", "a long editor password");
        await page.goto(`${node.url}/official/new/Dataset?lang=ko`);
        await expect(
          page
            .getByLabel(/^갱신 주기/)
            .locator("option", { hasText: "매월" })
            .count(),
        ).resolves.toBe(1);
        await audit(page);
        await page.goto(
          `${node.url}/official/edit?${new URLSearchParams({ id: `${node.url}/items/case-mvoting`, lang: "ko" })}`,
        );
        await expect(page.getByLabel("한국어 제목").inputValue()).resolves.toContain("엠보팅");
        await audit(page);
        await page.goto(`${node.url}/official/new/Pathway?lang=ko`);
        // The case is picked by its Korean title.
        await expect(page.locator("#f-case option").allTextContents()).resolves.toContain(
          "엠보팅: 시민이 휴대전화로 시정 현안에 투표하다 (Seoul)",
        );
        await audit(page);
        // Every hint of these forms is Korean, never an English schema description.
        for (const path of ["/official/new/Dataset", "/official/new/Pathway", "/official/new/CaseStudy"]) {
          await page.goto(`${node.url}${path}?lang=ko`);
          const hints = await page.locator("p.hint").allTextContents();
          expect(hints.length, path).toBeGreaterThan(5);
          expect(
            hints.filter((h) => !/[가-힣]/.test(h)),
            path,
          ).toEqual([]);
        }
      },
      { viewport: { width: 390, height: 844 }, locale: "ko-KR" },
    );
  }, 120_000);
});

async function pollSearch(page: Page, q: string): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    await page.goto(`${node.url}/search?${new URLSearchParams({ q })}`);
    if ((await page.getByRole("link", { name: "Open budget dashboard for every district" }).count()) > 0) return true;
    await page.waitForTimeout(200);
  }
  return false;
}

describe.skipIf(!BROWSER_AVAILABLE)("accessibility", () => {
  it("no page visited above has a WCAG 2.1 A or AA violation", () => {
    expect(violations).toEqual([]);
  });
});
