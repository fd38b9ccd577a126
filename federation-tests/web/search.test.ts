import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { poll, removeDir, startNodeProcess, tempDir, type NodeProcess } from "../support.ts";
import { accessibilityViolations, BROWSER_AVAILABLE, launchBrowser } from "./browser.ts";

// The search page on a phone and on a wide screen, with and without JavaScript, in English
// and Korean: results first, filters behind a disclosure on a phone, a sort control that
// works as a plain form, translated titles for a Korean reader. One seeded Seoul node.
// axe runs inside the page, so pages are audited where JavaScript is on.
let node: NodeProcess;
let browser: Browser;
let dataDir: string;

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

beforeAll(async () => {
  if (!BROWSER_AVAILABLE) return;
  dataDir = tempDir("wego-web-search-");
  [node, browser] = await Promise.all([startNodeProcess({ dataDir }), launchBrowser()]);
  // The node serves before its index holds the seeds: wait until searches are answered.
  await poll("the search index to be ready", async () => (await fetch(`${node.url}/readyz`)).ok, 120_000, 200);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
  removeDir(dataDir);
});

async function withPage<T>(options: BrowserContextOptions, fn: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ locale: "en-US", ...options });
  // A step that cannot happen fails with its own message, well before the test's timeout.
  context.setDefaultTimeout(30_000);
  try {
    return await fn(await context.newPage());
  } finally {
    await context.close();
  }
}

describe.skipIf(!BROWSER_AVAILABLE)("the search page", () => {
  it("on a phone (390×844) starts the results within the first screen, with the filters behind a disclosure; axe clean", async () => {
    for (const javaScriptEnabled of [true, false]) {
      await withPage({ ...PHONE, javaScriptEnabled }, async (page) => {
        for (const path of ["/search?q=mobile", "/search?q=mobile&type=CaseStudy", "/search?q=mobile&lang=ko"]) {
          await page.goto(node.url + path);
          const first = await page.locator(".results > li").first().boundingBox();
          expect(first, path).not.toBeNull();
          expect(first!.y, `${path}: the first result's top`).toBeLessThan(844);
          await expect(page.locator(".facets li a").first().isVisible(), path).resolves.toBe(false);
          if (javaScriptEnabled) expect(await accessibilityViolations(page), path).toEqual([]);
        }
        // The disclosure opens the filters, which work as links (`lang=ko` above is remembered).
        await page.goto(`${node.url}/search?q=mobile&lang=en`);
        await page.locator("details.filters > summary").click();
        const caseStudies = page.locator(".facets").getByRole("link", { name: /^Case study/ });
        await expect(caseStudies.isVisible()).resolves.toBe(true);
        if (javaScriptEnabled) expect(await accessibilityViolations(page)).toEqual([]);
        await caseStudies.click();
        await page.waitForURL(/type=CaseStudy/);
        await expect(page.locator("details.filters > summary").textContent()).resolves.toContain("(1 chosen)");
      });
    }
  }, 300_000);

  it("on a wide screen shows the filters beside the results without a click, with and without JavaScript", async () => {
    for (const javaScriptEnabled of [true, false]) {
      await withPage({ viewport: { width: 1280, height: 800 }, javaScriptEnabled }, async (page) => {
        await page.goto(`${node.url}/search?q=mobile`);
        const facet = page.locator(".facets li a").first();
        await expect(facet.isVisible()).resolves.toBe(true);
        const [filters, results] = await Promise.all([
          page.locator("aside.facets").boundingBox(),
          page.locator(".results").boundingBox(),
        ]);
        expect(filters!.x + filters!.width).toBeLessThanOrEqual(results!.x);
        if (javaScriptEnabled) expect(await accessibilityViolations(page)).toEqual([]);
      });
    }
  }, 300_000);

  it("sorts with the form's select and button alone (no JavaScript), oldest first by the item's year", async () => {
    await withPage({ javaScriptEnabled: false }, async (page) => {
      await page.goto(`${node.url}/search?q=seoul`);
      await page.getByLabel("Sort by").selectOption("oldest");
      await page.getByRole("button", { name: "Search" }).click();
      await page.waitForURL(/sort=oldest/);
      const years = (await page.locator(".results .meta .year").allTextContents()).map(Number);
      expect(years.length).toBeGreaterThan(2);
      expect(years).toEqual([...years].sort((a, b) => a - b));
      await expect(page.getByLabel("Sort by").inputValue()).resolves.toBe("oldest");
      // The pager and the filters keep the order.
      const facetHref = await page.locator(".facets li a").first().getAttribute("href");
      expect(facetHref).toContain("sort=oldest");
    });
    // axe runs in the page's JavaScript: audit the same page with it on.
    await withPage({}, async (page) => {
      await page.goto(`${node.url}/search?q=seoul&sort=oldest`);
      expect(await accessibilityViolations(page)).toEqual([]);
    });
  }, 300_000);

  it("shows a Korean reader the Korean title and summary of a translated item", async () => {
    await withPage({}, async (page) => {
      await page.goto(`${node.url}/search?q=mVoting&lang=ko`);
      const titles = await page.locator(".results h3").allTextContents();
      expect(titles.some((t) => t.includes("엠보팅"))).toBe(true);
      expect(titles.some((t) => t.includes("residents vote on city questions"))).toBe(false);
      await expect(page.getByLabel("정렬").count()).resolves.toBe(1);
      expect(await accessibilityViolations(page)).toEqual([]);
      await page.goto(`${node.url}/search?q=mVoting&lang=en`);
      await expect(page.locator(".results h3").allTextContents()).resolves.toContainEqual(
        expect.stringContaining("mVoting: residents vote"),
      );
    });
  }, 300_000);
});
