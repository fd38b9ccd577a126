import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { removeDir, startNodeProcess, tempDir, type NodeProcess } from "../support.ts";
import {
  accessibilityViolations,
  addUser,
  BROWSER_AVAILABLE,
  launchBrowser,
  logIn,
  withPage as sharedWithPage,
} from "./browser.ts";

// A city's readiness for a pathway, in a real browser against a real node seeded with Seoul's
// library: an anonymous visitor assesses and reads the gap report (and its A4 print), then an
// official saves the assessment, updates it and sees the score move.

let node: NodeProcess;
let browser: Browser;
let dataDir: string;
const violations: string[] = [];
const PATHWAY_TITLE = /mobile voting/i;

beforeAll(async () => {
  if (!BROWSER_AVAILABLE) return;
  dataDir = tempDir("wego-web-assess-");
  addUser(dataDir, "editor", "seoul-editor", "a long editor password");
  [node, browser] = await Promise.all([startNodeProcess({ dataDir }), launchBrowser()]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
  removeDir(dataDir);
});

const withPage = <T>(viewport: { width: number; height: number } | null, fn: (page: Page) => Promise<T>) =>
  sharedWithPage(browser, viewport, fn);

async function audit(page: Page): Promise<void> {
  violations.push(...(await accessibilityViolations(page)));
}

/** Opens the mVoting pathway's page from the search and follows its link to the assessment. */
async function openAssessment(page: Page): Promise<void> {
  const found = (await (await fetch(`${node.url}/api/items?type=Pathway&limit=50`)).json()) as {
    items: { id: string; title: string }[];
  };
  const pathway = found.items.find((i) => PATHWAY_TITLE.test(i.title));
  expect(pathway).toBeDefined();
  await page.goto(pathway!.id);
  await page.getByRole("link", { name: "Assess your city's readiness" }).click();
  await page.waitForURL(/\/assess\?pathway=/);
}

/** Answers every radio group with the option at `choose(kind, i)` (met/partly/unmet/unknown; yes/partly/no). */
async function answerAll(
  page: Page,
  prerequisite: (i: number) => string,
  readiness: (i: number) => string,
): Promise<void> {
  const groups = await page.locator("fieldset.choice").evaluateAll((els) => els.map((e) => e.id));
  for (const id of groups) {
    const i = Number(id.slice(1));
    const value = id.startsWith("p") ? prerequisite(i) : readiness(i);
    await page.locator(`input[name="${id}"][value="${value}"]`).check();
  }
}

describe.skipIf(!BROWSER_AVAILABLE)("readiness assessment in a browser", () => {
  it("an anonymous visitor assesses a pathway and reads a gap report that prints on A4", async () => {
    await withPage(null, async (page) => {
      await openAssessment(page);
      await audit(page);
      await page.getByLabel("City name").fill("Ulaanbaatar");
      await page.getByLabel("Population").fill("1700000");
      await page.getByLabel("Income level of the country").selectOption("lower-middle");
      // Every first prerequisite not met, the rest met; questions alternately yes and no.
      await answerAll(
        page,
        (i) => (i === 0 ? "unmet" : "met"),
        (i) => (i % 2 === 0 ? "yes" : "no"),
      );
      await page.getByLabel("Note").first().fill("Needs a council vote");
      await page.getByRole("button", { name: "Show the report" }).click();
      await page.waitForSelector("#report-h");
      const report = page.locator("section.report");
      await expect(report.locator(".verdict").textContent()).resolves.toMatch(/Readiness score\s+\d+ of 100/);
      await expect(report.textContent()).resolves.toContain("Needs a council vote");
      await expect(report.locator("#gaps-h").isVisible()).resolves.toBe(true);
      await expect(report.locator("#phases-h").isVisible()).resolves.toBe(true);
      await audit(page);

      // The answers are in the address: opening it elsewhere shows the same report.
      const shared = page.url();
      const score = await report.locator(".verdict .score strong").textContent();
      await withPage({ width: 390, height: 844 }, async (phone) => {
        await phone.goto(shared);
        await expect(phone.locator(".verdict .score strong").textContent()).resolves.toBe(score);
        await audit(phone);
      });

      // Printed: A4 pages, the report without the form.
      await page.emulateMedia({ media: "print" });
      await expect(page.locator("form.assess-form").isVisible()).resolves.toBe(false);
      await expect(page.locator("header.site").isVisible()).resolves.toBe(false);
      await expect(page.locator("#gaps-h").isVisible()).resolves.toBe(true);
      const pdf = (await page.pdf({ preferCSSPageSize: true })).toString("latin1");
      const boxes = [...pdf.matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)];
      expect(boxes.length).toBeGreaterThan(0);
      // A4 is 595 × 842 points.
      for (const [, w, h] of boxes) expect([Math.round(Number(w)), Math.round(Number(h))]).toEqual([595, 842]);
    });
  });

  it("an official saves the assessment, updates it after progress and sees the score move", async () => {
    await withPage(null, async (page) => {
      await logIn(page, node.url, "seoul-editor", "a long editor password");
      await openAssessment(page);
      await page.getByLabel("City name").fill("Ulaanbaatar");
      await answerAll(
        page,
        () => "unmet",
        () => "no",
      );
      await page.getByRole("button", { name: "Show the report" }).click();
      await page.getByRole("button", { name: "Save to my assessments" }).click();
      await page.waitForURL(/\/official\/assessments\/a-[0-9a-f]+$/);
      await expect(page.locator(".flash").textContent()).resolves.toContain("Assessment saved");
      await audit(page);
      const saved = page.url();

      await answerAll(
        page,
        () => "met",
        () => "yes",
      );
      await page.getByRole("button", { name: "Save the new answers" }).click();
      await page.waitForURL(saved);
      await expect(page.locator(".verdict").textContent()).resolves.toContain(
        "Ready: every required prerequisite is met.",
      );
      const scores = await page.locator('.history td[data-label="Score"]').allTextContents();
      expect(scores).toEqual(["0", "100"]);
      await expect(page.locator(".history svg[role=img] title").textContent()).resolves.toContain("0, 100");
      await audit(page);

      await page.getByRole("link", { name: "My assessments" }).click();
      await expect(page.getByRole("link", { name: PATHWAY_TITLE }).count()).resolves.toBe(1);
      await audit(page);
      await withPage({ width: 390, height: 844 }, async (phone) => {
        await phone.context().addCookies(await page.context().cookies());
        await phone.goto(saved);
        await audit(phone);
      });
    });
  });

  it("the assessment pages have no accessibility violations, on a phone too", () => {
    expect(violations).toEqual([]);
  });
});
