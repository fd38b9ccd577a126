import { existsSync } from "node:fs";
import { AxeBuilder } from "@axe-core/playwright";
import { chromium, type Browser, type Page } from "playwright-core";
import { runWego } from "../support.ts";

const CHROMIUM = process.env.WEGO_CHROMIUM ?? "/usr/bin/chromium";

/** Whether the browser tests can run: Chromium is installed, or this is CI (where .ci/run installs it, so they never skip). */
export const BROWSER_AVAILABLE = existsSync(CHROMIUM) || process.env.CI === "true";

/** Debian's Chromium, headless, with the flags that keep it quiet on a shared machine. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** WCAG 2.1 A and AA violations on the page as it stands, one line each (empty when none). */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return result.violations.map(
    (v) =>
      `${page.url()} ${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .map((n) => n.target.join(" "))
        .slice(0, 3)
        .join(", ")}`,
  );
}

/** Runs `fn` on a new page of a fresh English browser context (at `viewport` when given), closed afterwards. */
export async function withPage<T>(
  browser: Browser,
  viewport: { width: number; height: number } | null,
  fn: (page: Page) => Promise<T>,
): Promise<T> {
  const context = await browser.newContext({ locale: "en-US", ...(viewport ? { viewport } : {}) });
  const page = await context.newPage();
  try {
    return await fn(page);
  } finally {
    await context.close();
  }
}

/** Adds a web login to a node's data folder with `wego user add`. */
export function addUser(dataDir: string, role: "admin" | "editor", username: string, password: string): void {
  const r = runWego(["user", "add", "--data", dataDir, "--role", role, username], `${password}\n`);
  if (r.status !== 0) throw new Error(`user add failed: ${r.stderr}`);
}

/** Logs in through the login form. */
export async function logIn(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(/Username|사용자 이름/).fill(username);
  await page.getByLabel(/^Password|비밀번호/).fill(password);
  await page.getByRole("button", { name: /Log in|로그인/ }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}
