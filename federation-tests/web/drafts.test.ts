import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { poll, removeDir, startNodeProcess, tempDir, type NodeProcess } from "../support.ts";
import {
  accessibilityViolations,
  addUser,
  BROWSER_AVAILABLE,
  launchBrowser,
  logIn,
  withPage as sharedWithPage,
} from "./browser.ts";

// An official saves a half-filled dataset with an uploaded file as a draft, finds it under
// "My drafts", and publishes it: a real node process (federation on), real Chromium.

let node: NodeProcess;
let browser: Browser;
let dataDir: string;
let filesDir: string;
const violations: string[] = [];
const CSV = "stop,riders\nCity Hall,1200\nGwanghwamun,980\n";
const SHA = createHash("sha256").update(CSV).digest("hex");
const TITLE = "Bus ridership by stop, drafted";

beforeAll(async () => {
  if (!BROWSER_AVAILABLE) return;
  dataDir = tempDir("wego-web-drafts-");
  filesDir = tempDir("wego-web-drafts-upload-");
  writeFileSync(join(filesDir, "ridership.csv"), CSV);
  addUser(dataDir, "editor", "seoul-editor", "a long editor password");
  [node, browser] = await Promise.all([startNodeProcess({ dataDir }), launchBrowser()]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
  removeDir(dataDir);
  removeDir(filesDir);
});

const withPage = <T>(viewport: { width: number; height: number } | null, fn: (page: Page) => Promise<T>) =>
  sharedWithPage(browser, viewport, fn);

async function audit(page: Page): Promise<void> {
  violations.push(...(await accessibilityViolations(page)));
}

/** Everything anonymous readers and peers can get that would name the dataset, with its item page at each of `slugs`. */
async function publicTraces(slugs: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const get = async (path: string, accept = "application/json") => {
    const res = await fetch(node.url + path, { headers: { accept } });
    return { status: res.status, text: await res.text() };
  };
  if ((await get(`/api/search?q=${encodeURIComponent("ridership drafted")}`)).text.includes("drafted"))
    found.push("search");
  if ((await get("/api/items?type=Dataset&limit=500")).text.includes(TITLE)) found.push("/api/items");
  for (const slug of slugs) {
    if ((await get(`/items/${slug}`, "text/html")).status !== 404) found.push("item page");
    if ((await get(`/items/${slug}`, "application/activity+json")).status !== 404) found.push("ActivityPub object");
  }
  const outbox = await get("/cities/seoul/outbox", "application/activity+json");
  const first = (JSON.parse(outbox.text) as { first?: string | { id?: string } }).first;
  const firstUrl = typeof first === "string" ? first : first?.id;
  const page = firstUrl
    ? await (await fetch(firstUrl, { headers: { accept: "application/activity+json" } })).text()
    : "";
  if (outbox.text.includes(TITLE) || page.includes(TITLE)) found.push("outbox");
  if ((await get(`/files/${SHA}/ridership.csv`)).status !== 404) found.push("file");
  return found;
}

describe.skipIf(!BROWSER_AVAILABLE)("drafts and uploads in a browser", () => {
  it("saves a half-filled dataset with a file as a draft, keeps it private, resumes it and publishes it", async () => {
    await withPage(null, async (page) => {
      await logIn(page, node.url, "seoul-editor", "a long editor password");
      await page.goto(`${node.url}/official/new/Dataset`);
      await audit(page);
      await page.locator('[name="/title"]').fill(TITLE);
      await page.locator('[name="/distributions/0/file"]').setInputFiles(join(filesDir, "ridership.csv"));
      await page.getByRole("button", { name: "Save as draft" }).click();
      await page.waitForURL(/\/official\/drafts\/d-[0-9a-f]+$/);
      const draftUrl = page.url();
      await expect(page.locator(".flash").textContent()).resolves.toContain("Draft saved");
      await expect(page.locator('[name="/distributions/0/downloadURL"]').inputValue()).resolves.toBe(
        `${node.url}/files/${SHA}/ridership.csv`,
      );
      await expect(page.locator('[name="/distributions/0/checksum/value"]').inputValue()).resolves.toBe(SHA);
      await expect(page.locator('[name="/distributions/0/byteSize"]').inputValue()).resolves.toBe(
        String(Buffer.byteLength(CSV)),
      );
      await audit(page);

      // A draft has no public id yet: neither its own id nor the title's slug is an item.
      expect(await publicTraces([draftUrl.split("/").pop()!, "bus-ridership-by-stop-drafted"])).toEqual([]);

      await page.goto(`${node.url}/official/drafts`);
      await audit(page);
      await page.getByRole("link", { name: TITLE }).click();
      await page.waitForURL(draftUrl);
      await page
        .locator('[name="/summary"]')
        .fill("Weekday boardings at each bus stop, counted by the city's card system.");
      await page.locator('[name="/publisher/name"]').fill("Seoul Metropolitan Government");
      await page.locator(".form-actions button[value=save]").click();
      await page.waitForURL(/\/items\/bus-ridership-by-stop-drafted/);
      await expect(page.locator(".flash").textContent()).resolves.toContain("Published and signed");
      await audit(page);

      const file = await fetch(`${node.url}/files/${SHA}/ridership.csv`);
      expect(file.status).toBe(200);
      expect(file.headers.get("content-disposition")).toBe('attachment; filename="ridership.csv"');
      expect(await file.text()).toBe(CSV);
      const item = (await (await fetch(`${node.url}/api/items?${new URLSearchParams({ id: page.url() })}`)).json()) as {
        document: { distributions: unknown[] };
        jws: string;
      };
      expect(item.document.distributions).toEqual([
        {
          downloadURL: `${node.url}/files/${SHA}/ridership.csv`,
          mediaType: "text/csv",
          format: "CSV",
          byteSize: Buffer.byteLength(CSV),
          checksum: { algorithm: "sha256", value: SHA },
        },
      ]);
      expect(item.jws).toMatch(/^[\w-]+\.\.[\w-]+$/);
      // The same checks see the published item: they would have seen a leaked draft.
      const slug = new URL(page.url()).pathname.split("/").pop()!;
      const seen = await poll("the published dataset everywhere", async () => {
        const traces = await publicTraces([slug]);
        return traces.length === 6 ? traces : null;
      });
      expect(seen.sort()).toEqual(["/api/items", "ActivityPub object", "file", "item page", "outbox", "search"]);
      await page.goto(`${node.url}/official/drafts`);
      await expect(page.getByRole("link", { name: TITLE }).count()).resolves.toBe(0);
    });
  }, 300_000);

  it("the draft form and the drafts list have no accessibility violations on a phone", async () => {
    await withPage({ width: 390, height: 844 }, async (page) => {
      await logIn(page, node.url, "seoul-editor", "a long editor password");
      await page.goto(`${node.url}/official/new/Dataset`);
      await page.locator('[name="/title"]').fill("Phone draft");
      await page.getByRole("button", { name: "Save as draft" }).click();
      await page.waitForURL(/\/official\/drafts\/d-/);
      await audit(page);
      await page.goto(`${node.url}/official/drafts`);
      await audit(page);
      await page.goto(`${node.url}/official/drafts?lang=ko`);
      await expect(page.locator("h1").textContent()).resolves.toBe("내 임시 저장본");
      await audit(page);
    });
  }, 120_000);

  it("no page visited above has a WCAG 2.1 A or AA violation", () => {
    expect(violations).toEqual([]);
  });
});
