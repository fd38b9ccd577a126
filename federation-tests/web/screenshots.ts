/**
 * npm run screenshots — starts two real city nodes (Seoul and Busan) on loopback, peers them
 * through the web pages, and writes docs/screenshots/*.png of the main pages with Debian's
 * Chromium (the same set-up as the browser tests in federation-tests/web/).
 */
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { createTokenFor, poll, removeDir, ROOT, startNodeProcess, tempDir } from "../support.ts";
import { addUser, launchBrowser, logIn } from "./browser.ts";

const OUT = `${ROOT}docs/screenshots`;
const DESKTOP = { width: 1280, height: 1000 };
const PHONE = { width: 390, height: 844 };

async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.screenshot({ path: `${OUT}/${name}.png`, fullPage });
  console.log(`docs/screenshots/${name}.png`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const seoulDir = tempDir("wego-shots-seoul-");
  const busanDir = tempDir("wego-shots-busan-");
  addUser(seoulDir, "admin", "seoul-admin", "a long admin password");
  const [seoul, busan, browser] = await Promise.all([
    startNodeProcess({ dataDir: seoulDir }),
    startNodeProcess({ dataDir: busanDir, args: ["--city", "busan", "--name", "Busan"] }),
    launchBrowser(),
  ]);
  try {
    const context = await browser.newContext({ locale: "en-US", viewport: DESKTOP });
    const page = await context.newPage();
    await logIn(page, seoul.url, "seoul-admin", "a long admin password");
    await page.goto(`${seoul.url}/admin/peers`);
    await page.getByLabel("City handle or actor URL").fill(`${busan.url}/cities/busan`);
    await page.getByRole("button", { name: "Follow", exact: true }).click();
    const busanToken = createTokenFor(busanDir, "admin");
    await poll(
      "Busan to see Seoul's request",
      async () => {
        const res = await fetch(`${busan.url}/api/peers/approve`, {
          method: "POST",
          headers: { authorization: `Bearer ${busanToken}`, "content-type": "application/json" },
          body: JSON.stringify({ actor: `${seoul.url}/cities/seoul` }),
        });
        return res.ok;
      },
      60_000,
      500,
    );
    await poll(
      "Busan's items at Seoul",
      async () => {
        const res = (await (await fetch(`${seoul.url}/api/search?city=${new URL(busan.url).host}&limit=1`)).json()) as {
          total: number;
        };
        return res.total > 0;
      },
      60_000,
      500,
    );
    await page.goto(`${seoul.url}/admin/peers`);
    await shot(page, "peers");

    // Logged out for the readers' pages.
    const reader = await (await browser.newContext({ locale: "en-US", viewport: DESKTOP })).newPage();
    await reader.goto(seoul.url);
    await shot(reader, "home");
    await reader.goto(`${seoul.url}/search?q=mobile+voting&type=CaseStudy`);
    await shot(reader, "search");
    await reader.goto(`${seoul.url}/items/case-mvoting`);
    await shot(reader, "case", true);
    await reader.goto(`${seoul.url}/items/pathway-mvoting`);
    await shot(reader, "pathway", true);
    // A gap report: the mVoting pathway assessed by an illustrative city that meets some of it.
    await reader.goto(`${seoul.url}/items/pathway-mvoting`);
    await reader.getByRole("link", { name: "Assess your city's readiness" }).click();
    await reader.getByLabel("City name").fill("Ulaanbaatar");
    await reader.getByLabel("Population").fill("1700000");
    await reader.getByLabel("Income level of the country").selectOption("lower-middle");
    const prerequisiteAnswers = ["met", "unmet", "partly", "met", "unknown", "met", "partly"];
    const readinessAnswers = ["yes", "partly", "no", "yes", "partly"];
    for (const id of await reader.locator("fieldset.choice").evaluateAll((els) => els.map((e) => e.id))) {
      const i = Number(id.slice(1));
      const value = id.startsWith("p") ? prerequisiteAnswers[i % 7] : readinessAnswers[i % 5];
      await reader.locator(`input[name="${id}"][value="${value}"]`).check();
    }
    await reader.getByLabel("Note").nth(1).fill("Council vote planned for March");
    await reader.getByRole("button", { name: "Show the report" }).click();
    await reader.waitForSelector("#report-h");
    await reader.emulateMedia({ media: "print" });
    await shot(reader, "gap-report", true);
    await reader.emulateMedia({ media: "screen" });
    await reader.goto(`${seoul.url}/items/dataset-egov-phases`);
    await shot(reader, "dataset", true);
    await reader.goto(`${seoul.url}/search?city=${new URL(busan.url).host}`);
    await reader.locator(".results h3 a").first().click();
    await reader.waitForURL(/\/library\/item\?id=/);
    await shot(reader, "peer-item");

    await page.goto(`${seoul.url}/official/new/CaseStudy`);
    await page.getByLabel(/^Title \(/).fill("Open budget dashboard for every district");
    await page.getByLabel(/^Summary \(/).fill("Every line of the district budgets, searchable by residents.");
    await page.getByLabel(/^Year it started/).fill("1900");
    await page.getByRole("button", { name: "Publish", exact: true }).click();
    await shot(page, "publish-form-errors");

    const phone = await (
      await browser.newContext({ locale: "ko-KR", viewport: PHONE, deviceScaleFactor: 2, isMobile: true })
    ).newPage();
    await phone.goto(seoul.url);
    await shot(phone, "home-ko-phone");
    await phone.goto(`${seoul.url}/items/case-mvoting`);
    await shot(phone, "case-ko-phone");
  } finally {
    await browser.close();
    await Promise.all([seoul.stop(), busan.stop()]);
    removeDir(seoulDir);
    removeDir(busanDir);
  }
}

await main();
