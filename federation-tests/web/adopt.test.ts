import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { poll } from "../support.ts";
import { createCluster, heldVersion, peer, type CityNode, type Cluster } from "../federation/cluster.ts";
import { accessibilityViolations, addUser, BROWSER_AVAILABLE, launchBrowser, logIn } from "./browser.ts";

// From assessment to lineage across two real nodes: Busan follows Seoul and holds Seoul's
// mVoting pathway; Busan's official assesses it, saves the assessment, publishes an adoption
// from it in the browser, and Seoul, which does not follow Busan, lists Busan under
// "Adopted by" on the case's page, with a valid signature.

let cluster: Cluster;
let seoul: CityNode;
let busan: CityNode;
let browser: Browser;
const violations: string[] = [];

beforeAll(async () => {
  if (!BROWSER_AVAILABLE) return;
  cluster = createCluster();
  [seoul, busan, browser] = await Promise.all([
    cluster.start("seoul", { seed: true }),
    cluster.start("busan", { seed: true, args: ["--name", "Busan"] }),
    launchBrowser(),
  ]);
  addUser(busan.dataDir, "editor", "busan-editor", "a long editor password");
  // Busan follows Seoul, so it holds Seoul's pathways; Seoul does not follow Busan.
  await peer(busan, seoul);
  await poll(
    "Busan to hold Seoul's mVoting pathway",
    async () => (await heldVersion(busan, `${seoul.url}/items/pathway-mvoting`)) > 0,
    120_000,
    500,
  );
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await cluster?.stop();
});

async function audit(page: Page): Promise<void> {
  violations.push(...(await accessibilityViolations(page)));
}

describe.skipIf(!BROWSER_AVAILABLE)("adopting from an assessment, across two nodes", () => {
  it("Busan's official saves an assessment of Seoul's pathway, publishes an adoption from it, and Seoul's case page lists Busan", async () => {
    const context = await browser.newContext({ locale: "en-US" });
    const page = await context.newPage();
    await logIn(page, busan.url, "busan-editor", "a long editor password");
    await page.goto(`${busan.url}/library/item?${new URLSearchParams({ id: `${seoul.url}/items/pathway-mvoting` })}`);
    await page.getByRole("link", { name: "Assess your city's readiness" }).click();
    await page.getByLabel("City name").fill("Busan");
    await page.getByLabel("Population").fill("3300000");
    await page.getByLabel("Income level of the country").selectOption("high");
    for (const id of await page.locator("fieldset.choice").evaluateAll((els) => els.map((e) => e.id)))
      await page.locator(`input[name="${id}"][value="${id.startsWith("p") ? "partly" : "yes"}"]`).check();
    await page.getByRole("button", { name: "Show the report" }).click();
    await page.getByRole("button", { name: "Save to my assessments" }).click();
    await page.waitForURL(/\/official\/assessments\/a-[0-9a-f]+$/);
    const score = (await page.locator(".verdict .score strong").textContent())!.match(/\d+/)![0];

    await page.getByRole("link", { name: "Publish an adoption with this score and these gaps" }).click();
    await page.waitForURL(/\/official\/new\/Adoption\?assessment=/);
    await expect(page.locator('[name="/case"]').inputValue()).resolves.toBe(`${seoul.url}/items/case-mvoting`);
    await expect(page.locator('[name="/assessment/score"]').inputValue()).resolves.toBe(score);
    await audit(page);
    await page.getByRole("button", { name: "Publish", exact: true }).click();
    await page.waitForURL(/\/items\/[a-z0-9-]+$/);
    await expect(page.locator(".flash").textContent()).resolves.toContain("Published");
    const adoption = page.url();
    await audit(page);

    // Seoul does not follow Busan, yet holds the adoption of its case and lists it.
    const reader = await (await browser.newContext({ locale: "en-US" })).newPage();
    await poll(
      "Seoul's case page to list Busan's adoption",
      async () => {
        const html = await (
          await fetch(`${seoul.url}/items/case-mvoting`, { headers: { accept: "text/html" } })
        ).text();
        return html.includes(new URLSearchParams({ id: adoption }).toString().replace(/&/g, "&amp;"));
      },
      60_000,
      500,
    );
    await reader.goto(`${seoul.url}/items/case-mvoting`);
    const row = reader.locator("table[aria-labelledby=adoptions-h] tr", {
      has: reader.locator(`a[href="/library/item?${new URLSearchParams({ id: adoption })}"]`),
    });
    await expect(row.locator('td[data-label="Status"]').textContent()).resolves.toBe("Considering it");
    await expect(row.locator(".badge.ok").textContent()).resolves.toMatch(/^Signed by .*; the signature is valid\.$/);
    await audit(reader);
    await reader.goto(`${seoul.url}/network`);
    await expect(reader.locator("svg.network-graph desc").textContent()).resolves.toMatch(/→/);
    await audit(reader);
    // On a phone too, in Korean.
    const phone = await (
      await browser.newContext({ locale: "ko-KR", viewport: { width: 390, height: 844 }, isMobile: true })
    ).newPage();
    for (const path of ["/network", "/items/case-mvoting", `/library/cities/${new URL(busan.url).host}`]) {
      await phone.goto(`${seoul.url}${path}`);
      await audit(phone);
    }
    await expect(phone.locator("#city-adoptions-h").isVisible()).resolves.toBe(true);
    await phone.goto(`${seoul.url}/items/case-mvoting`);
    await expect(phone.locator("#adoptions-h").textContent()).resolves.toBe("도입한 도시");
    await phone.context().close();
    await context.close();
  });

  it("the adoption pages have no accessibility violations", () => {
    expect(violations).toEqual([]);
  });
});
