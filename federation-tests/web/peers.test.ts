import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { removeDir, startNodeProcess, tempDir, type NodeProcess } from "../support.ts";
import { accessibilityViolations, addUser, BROWSER_AVAILABLE, launchBrowser, logIn } from "./browser.ts";

// Two real city nodes on loopback and one browser: Seoul's admin follows Busan, Busan's admin approves.
let seoul: NodeProcess;
let busan: NodeProcess;
let browser: Browser;
const dirs: string[] = [];

beforeAll(async () => {
  if (!BROWSER_AVAILABLE) return;
  const [seoulDir, busanDir] = [tempDir("wego-web-seoul-"), tempDir("wego-web-busan-")];
  dirs.push(seoulDir, busanDir);
  addUser(seoulDir, "admin", "seoul-admin", "a long admin password");
  addUser(busanDir, "admin", "busan-admin", "a long admin password");
  [seoul, busan, browser] = await Promise.all([
    startNodeProcess({ dataDir: seoulDir }),
    startNodeProcess({ dataDir: busanDir, args: ["--city", "busan", "--name", "Busan"] }),
    launchBrowser(),
  ]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([seoul?.stop(), busan?.stop()]);
  for (const d of dirs) removeDir(d);
});

async function peerState(page: Page, node: NodeProcess, actor: string): Promise<string | null> {
  await page.goto(`${node.url}/admin/peers`);
  const row = page.locator(`tr[data-actor="${actor}"] .state`);
  return (await row.count()) ? await row.getAttribute("data-state") : null;
}

async function until(label: string, fn: () => Promise<boolean>, deadlineMs = 60_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    // A navigation can race the peers page's own refresh while a backfill runs: try again.
    if (await fn().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${label}`);
}

describe.skipIf(!BROWSER_AVAILABLE)("peering in a browser", () => {
  it("Seoul's admin follows Busan by URL, Busan's admin approves, and both pages show it", async () => {
    const seoulActor = `${seoul.url}/cities/seoul`;
    const busanActor = `${busan.url}/cities/busan`;
    const seoulPage = await (await browser.newContext({ locale: "en-US" })).newPage();
    const busanPage = await (await browser.newContext({ locale: "en-US" })).newPage();
    const violations: string[] = [];

    await logIn(seoulPage, seoul.url, "seoul-admin", "a long admin password");
    await seoulPage.goto(`${seoul.url}/admin/peers`);
    violations.push(...(await accessibilityViolations(seoulPage)));
    await seoulPage.getByLabel("City handle or actor URL").fill(busanActor);
    await seoulPage.getByRole("button", { name: "Follow", exact: true }).click();
    await seoulPage.waitForURL(/\/admin\/peers$/);
    await expect(seoulPage.locator(".flash").textContent()).resolves.toContain(
      `Done. Asked ${busanActor} to let this city follow it.`,
    );
    await expect(seoulPage.locator(`tr[data-actor="${busanActor}"] .state`).getAttribute("data-state")).resolves.toBe(
      "requested",
    );
    await expect(seoulPage.locator(`tr[data-actor="${busanActor}"] .state`).textContent()).resolves.toBe(
      "Follow requested",
    );

    await logIn(busanPage, busan.url, "busan-admin", "a long admin password");
    await until(
      "Busan to see Seoul's request",
      async () => (await peerState(busanPage, busan, seoulActor)) === "pending",
    );
    violations.push(...(await accessibilityViolations(busanPage)));
    await busanPage
      .locator(`tr[data-actor="${seoulActor}"]`)
      .getByRole("button", { name: /Approve/ })
      .click();
    await busanPage.waitForURL(/\/admin\/peers$/);
    await expect(busanPage.locator(`tr[data-actor="${seoulActor}"] .state`).getAttribute("data-state")).resolves.toBe(
      "followed",
    );

    await until("Seoul to follow Busan", async () =>
      ["following", "mutual"].includes((await peerState(seoulPage, seoul, busanActor)) ?? ""),
    );
    // Busan's library arrives: its items show up in Seoul's search, from busan's host.
    await until("Busan's items in Seoul's search", async () => {
      // A peer's items are filed under its origin's host, whatever their documents say.
      await seoulPage.goto(`${seoul.url}/search?${new URLSearchParams({ city: new URL(busan.url).host })}`);
      return (await seoulPage.locator(".results > li").count()) > 0;
    });
    await expect(seoulPage.locator(".results .badge").first().textContent()).resolves.toContain(
      new URL(busan.url).host,
    );
    await seoulPage.locator(".results h3 a").first().click();
    await seoulPage.waitForURL(/\/library\/item\?id=/);
    await expect(seoulPage.locator("aside.provenance").textContent()).resolves.toContain(
      `Signed by Busan (${new URL(busan.url).host}); the signature is valid.`,
    );
    await expect(seoulPage.locator("aside.provenance").textContent()).resolves.toContain(
      `Received from Busan (${new URL(busan.url).host}) on `,
    );
    // Busan follows back in one click; Seoul's admin sees who asks before approving.
    await busanPage.goto(`${busan.url}/admin/peers`);
    await busanPage
      .locator(`tr[data-actor="${seoulActor}"]`)
      .getByRole("button", { name: /Follow back/ })
      .click();
    await busanPage.waitForURL(/\/admin\/peers$/);
    await until(
      "Seoul to see Busan's request",
      async () => (await peerState(seoulPage, seoul, busanActor)) === "pending",
    );
    await expect(
      seoulPage.locator(`tr[data-actor="${busanActor}"] td[data-label="State"]`).textContent(),
    ).resolves.toContain(`Busan (${new URL(busan.url).host}) asks to receive this city's library.`);
    violations.push(...(await accessibilityViolations(seoulPage)));
    violations.push(...(await accessibilityViolations(seoulPage)));
    expect(violations).toEqual([]);
  }, 240_000);

  it("a follow that fails is shown as an error with what went wrong, not as a success", async () => {
    const page = await (await browser.newContext({ locale: "en-US" })).newPage();
    await logIn(page, seoul.url, "seoul-admin", "a long admin password");
    await page.goto(`${seoul.url}/admin/peers`);
    await page.getByLabel("City handle or actor URL").fill(`nobody@${new URL(busan.url).host}`);
    await page.getByRole("button", { name: "Follow", exact: true }).click();
    await page.waitForURL(/\/admin\/peers$/);
    const alert = page.getByRole("alert");
    const handle = `nobody@${new URL(busan.url).host}`;
    await expect(alert.textContent()).resolves.toBe(
      `That did not work: no city answers as ${handle}. Check the handle (name@host) or the actor's URL.`,
    );
    await expect(page.locator(".flash").count()).resolves.toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    // The Korean page says it in Korean.
    await page.goto(`${seoul.url}/admin/peers?lang=ko`);
    await page.getByLabel("도시 핸들 또는 액터 URL").fill(handle);
    await page.getByRole("button", { name: "팔로우", exact: true }).click();
    await page.waitForURL(/\/admin\/peers$/);
    await expect(page.getByRole("alert").textContent()).resolves.toContain(
      `다음 주소에서 응답하는 도시가 없습니다: ${handle}.`,
    );
    expect(await accessibilityViolations(page)).toEqual([]);
    // Every refusal is said in the reader's language, not in the federation's English.
    await page.getByLabel("도시 핸들 또는 액터 URL").fill(`${seoul.url}/cities/seoul`);
    await page.getByRole("button", { name: "팔로우", exact: true }).click();
    await page.waitForURL(/\/admin\/peers$/);
    await expect(page.getByRole("alert").textContent()).resolves.toBe("처리하지 못했습니다. 이유: 이 노드 자신입니다.");
  }, 120_000);

  it("an admin adds an official's account in the browser, on a desk and on a phone, with no axe violations", async () => {
    const violations: string[] = [];
    for (const viewport of [
      { width: 1280, height: 900 },
      { width: 390, height: 844 },
    ]) {
      const page = await (await browser.newContext({ locale: "en-US", viewport })).newPage();
      await logIn(page, seoul.url, "seoul-admin", "a long admin password");
      await page.getByRole("link", { name: "Accounts" }).click();
      await page.waitForURL(/\/admin\/accounts$/);
      violations.push(...(await accessibilityViolations(page)));
      const username = `official-${viewport.width}`;
      await page.getByLabel("Username").fill(username);
      await page.getByLabel("Password", { exact: true }).fill("a long official password");
      await page.getByLabel("Role", { exact: true }).selectOption("editor");
      await page.getByRole("button", { name: "Add an account" }).click();
      await page.waitForURL(/\/admin\/accounts$/);
      await expect(page.getByRole("status").textContent()).resolves.toBe(`Account added: ${username}`);
      await expect(page.locator(`tr[data-username="${username}"] .role`).textContent()).resolves.toBe("Editor");
      violations.push(...(await accessibilityViolations(page)));
    }
    expect(violations).toEqual([]);
  }, 120_000);

  // Last in the file: it stops Busan's node.
  it("a peer whose node is down shows 'Unreachable since …' with 'connection refused' after Sync again, on a desk, on a phone and in Korean, with no axe violations", async () => {
    const busanActor = `${busan.url}/cities/busan`;
    const page = await (await browser.newContext({ locale: "en-US" })).newPage();
    await logIn(page, seoul.url, "seoul-admin", "a long admin password");
    await page.goto(`${seoul.url}/admin/peers`);
    const row = page.locator(`tr[data-actor="${busanActor}"]`);
    await expect(row.locator("[data-health]").getAttribute("data-health")).resolves.not.toBe("unreachable");
    await busan.stop();
    await row.getByRole("button", { name: /Sync again/ }).click();
    await page.waitForURL(/\/admin\/peers$/);
    await until("Seoul's page to show Busan unreachable", async () => {
      await page.goto(`${seoul.url}/admin/peers`);
      return (await row.locator("[data-health]").getAttribute("data-health")) === "unreachable";
    });
    await expect(row.locator("[data-health]").textContent()).resolves.toMatch(
      /^Unreachable since \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/,
    );
    await expect(row.locator(".last-error").textContent()).resolves.toBe(
      "Last error: connection refused (reading their outbox)",
    );
    const violations = await accessibilityViolations(page);
    const phone = await (
      await browser.newContext({ locale: "en-US", viewport: { width: 390, height: 844 } })
    ).newPage();
    await logIn(phone, seoul.url, "seoul-admin", "a long admin password");
    await phone.goto(`${seoul.url}/admin/peers`);
    await expect(
      phone.locator(`tr[data-actor="${busanActor}"] [data-health]`).getAttribute("data-health"),
    ).resolves.toBe("unreachable");
    violations.push(...(await accessibilityViolations(phone)));
    // In Korean, what went wrong is said in Korean too.
    const korean = await (await browser.newContext({ locale: "ko-KR" })).newPage();
    await logIn(korean, seoul.url, "seoul-admin", "a long admin password");
    await korean.goto(`${seoul.url}/admin/peers`);
    const koRow = korean.locator(`tr[data-actor="${busanActor}"]`);
    await expect(koRow.locator("[data-health]").textContent()).resolves.toMatch(/UTC부터 연결 안 됨$/);
    await expect(koRow.locator(".last-error").textContent()).resolves.toBe(
      "마지막 오류: 연결이 거부되었습니다 (상대의 outbox를 읽는 중)",
    );
    await korean.getByLabel("도시 핸들 또는 액터 URL").fill(busanActor);
    await korean.getByRole("button", { name: "팔로우", exact: true }).click();
    await korean.waitForURL(/\/admin\/peers$/);
    await expect(korean.getByRole("alert").textContent()).resolves.toBe(
      `처리하지 못했습니다. 이유: 연결할 수 없습니다: ${busanActor}. 연결이 거부되었습니다.`,
    );
    violations.push(...(await accessibilityViolations(korean)));
    expect(violations).toEqual([]);
  }, 120_000);
});
