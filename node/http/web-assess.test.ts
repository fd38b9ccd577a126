import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertUser } from "../db/accounts.ts";
import { describeEachDatabase } from "../db/test-databases.ts";
import type { StoredItem } from "../library/model.ts";
import { draftFixture, startTestServer, webClient, type TestServer, type WebClient } from "../test-support.ts";

// The readiness assessment pages over real HTTP: the anonymous report in a shareable URL,
// and an official's saved assessments (real SQLite and PostgreSQL, real sessions and CSRF).

let s: TestServer;
let pathway: StoredItem;
let caseStudy: StoredItem;

// pathway.rich: 7 prerequisites (required: 0, 1, 2, 4; recommended: 3, 5, 6) and 4 readiness
// questions weighted 10, 7, 5, 2.5.
const PREREQUISITES = ["met", "unmet", "met", "partly", "unknown", "met", "unmet"] as const;
const READINESS = ["yes", "no", "partly", "yes"] as const;

function answers(extra: Record<string, string> = {}): URLSearchParams {
  const qs = new URLSearchParams({ pathway: pathway.id });
  PREREQUISITES.forEach((a, i) => qs.set(`p${i}`, a));
  READINESS.forEach((a, i) => qs.set(`r${i}`, a));
  for (const [k, v] of Object.entries(extra)) qs.set(k, v);
  return qs;
}

async function page(path: string, headers: Record<string, string> = {}): Promise<{ status: number; html: string }> {
  const res = await fetch(s.url + path, { headers: { accept: "text/html", ...headers } });
  return { status: res.status, html: await res.text() };
}

async function apiScore(): Promise<{ score: number; ready: boolean; gaps: { index: number }[] }> {
  const res = await fetch(`${s.url}/api/assess`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ pathway: pathway.id, readiness: READINESS, prerequisites: PREREQUISITES }),
  });
  return (await res.json()) as { score: number; ready: boolean; gaps: { index: number }[] };
}

/** The prerequisite descriptions of the gap report, in the order it lists them. */
function gapOrder(html: string): number[] {
  const descriptions = (draftFixture("pathway.rich").prerequisites as { description: string }[]).map(
    (p) => p.description,
  );
  const report = html.slice(html.indexOf('id="gaps-h"'), html.indexOf('id="phases-h"'));
  return [...report.matchAll(/<li><p><strong>([^<]+)<\/strong>/g)].map((m) =>
    descriptions.indexOf(m[1]!.replace(/&#39;/g, "'")),
  );
}

async function official(username: string, password: string): Promise<WebClient> {
  const c = webClient(s.url);
  expect((await c.logIn(username, password)).status).toBe(303);
  return c;
}

describeEachDatabase("assessments over HTTP", (database) => {
  beforeAll(async () => {
    s = await startTestServer({ database });
    const p = await s.library.create(draftFixture("pathway.rich"), { author: "test" });
    const c = await s.library.create(draftFixture("case-study.minimal"), { author: "test" });
    if (!p.ok || !c.ok) throw new Error("fixtures would not publish");
    pathway = p.item;
    caseStudy = c.item;
    await upsertUser(s.orm, "mina", "a long editor password", "editor");
    await upsertUser(s.orm, "joon", "another editor password", "editor");
  });
  afterAll(async () => s.close());

  describe("readiness assessment page", () => {
    it("is linked from the pathway's page and asks every prerequisite and question, with the city profile", async () => {
      const item = await page(new URL(pathway.id).pathname);
      expect(item.html).toContain(
        `href="/assess?${new URLSearchParams({ pathway: pathway.id }).toString().replace(/&/g, "&amp;")}"`,
      );
      expect(item.html).toContain("Assess your city&#39;s readiness");
      const { status, html } = await page(`/assess?${new URLSearchParams({ pathway: pathway.id })}`);
      expect(status).toBe(200);
      expect(html).toMatch(/<form method="get" action="\/assess"/);
      for (let i = 0; i < 7; i++)
        for (const v of ["met", "partly", "unmet", "unknown"]) expect(html).toContain(`name="p${i}" value="${v}"`);
      for (let i = 0; i < 4; i++)
        for (const v of ["yes", "partly", "no"]) expect(html).toContain(`name="r${i}" value="${v}"`);
      for (const name of ["city", "population", "income", "region", "languages", "systems", "n0"])
        expect(html).toContain(`name="${name}"`);
      expect(html).not.toContain('id="report-h"');
    });

    it("reports library/assess.ts's score and verdict, and the gaps required first, each with the city's note", async () => {
      const api = await apiScore();
      const { status, html } = await page(
        `/assess?${answers({ n1: "Council vote in <March>", city: "Ulaanbaatar", population: "1,700,000", income: "lower-middle" })}`,
      );
      expect(status).toBe(200);
      expect(html).toContain(`<strong>${api.score} of 100</strong>`);
      expect(api.ready).toBe(false);
      // Required 1 (unmet) and 4 (unknown), then recommended 3 (partly) and 6 (unmet), each in pathway order.
      expect(gapOrder(html)).toEqual([1, 4, 3, 6]);
      expect(gapOrder(html)).toEqual(api.gaps.map((g) => g.index));
      expect(html).toContain("Not ready yet: 2 required prerequisites are not met.");
      expect(html).toContain("Council vote in &lt;March&gt;");
      // The profile as given, the phases ahead with durations and deliverables, challenges, cost.
      expect(html).toContain("1,700,000");
      expect(html).toContain("Duration: 3–6 months");
      expect(html).toContain("Systems inventory");
      expect(html).toContain('id="challenges-h"');
      expect(html).toContain('id="cost-h"');
      // The share link keeps every answer; the form keeps them checked for a change.
      expect(html).toContain(`href="/assess?pathway=`);
      expect(html).toContain('name="p1" value="unmet" required checked');
      // An anonymous visitor gets no save form.
      expect(html).not.toContain('action="/official/assessments"');
    });

    it("says which questions still need an answer (400) and scores nothing", async () => {
      const qs = answers();
      qs.delete("p4");
      qs.delete("r2");
      const { status, html } = await page(`/assess?${qs}`);
      expect(status).toBe(400);
      expect(html).toContain("2 questions still need an answer");
      expect(html).toContain('href="#p4"');
      expect(html).toContain('href="#r2"');
      expect(html).not.toContain('id="report-h"');
    });

    it("shows the report in Korean", async () => {
      const { html } = await page(`/assess?${answers()}`, { "accept-language": "ko" });
      expect(html).toContain('<html lang="ko">');
      expect(html).toContain("준비도 보고서");
      expect(html).toContain("아직 준비되지 않음: 충족하지 못한 필수 전제 조건 2개");
    });

    it("answers 404 for an item that is no pathway, or none at all", async () => {
      expect((await page(`/assess?${new URLSearchParams({ pathway: caseStudy.id })}`)).status).toBe(404);
      expect((await page(`/assess?${new URLSearchParams({ pathway: "http://nowhere.test/items/x" })}`)).status).toBe(
        404,
      );
      expect((await page("/assess")).status).toBe(404);
    });
  });

  describe("saved assessments", () => {
    it("an official saves a report, reopens it, updates it and sees the score move; nobody else sees it", async () => {
      const mina = await official("mina", "a long editor password");
      const report = await (await mina.fetch(`/assess?${answers({ city: "Ulaanbaatar" })}`)).text();
      expect(report).toContain('action="/official/assessments"');
      const token = /name="_csrf" value="([^"]+)"/.exec(report)![1]!;
      const fields = Object.fromEntries(answers({ city: "Ulaanbaatar" }));
      // Without the CSRF token nothing is saved.
      expect((await mina.fetch("/official/assessments", { form: fields })).status).toBe(403);
      const saved = await mina.fetch("/official/assessments", { form: { ...fields, _csrf: token } });
      expect(saved.status).toBe(303);
      const location = saved.headers.get("location")!;
      expect(location).toMatch(/^\/official\/assessments\/a-[0-9a-f]{24}$/);
      const first = await (await mina.fetch(location)).text();
      const api = await apiScore();
      expect(first).toContain(`<strong>${api.score} of 100</strong>`);
      expect(first).toContain("Assessment saved");
      expect(first).toMatch(/<form method="post" action="\/official\/assessments\/a-[0-9a-f]+" class="assess-form"/);

      // The city made progress: every prerequisite met, every question yes.
      const better: Record<string, string> = { _csrf: await mina.token(location), city: "Ulaanbaatar" };
      PREREQUISITES.forEach((_, i) => (better[`p${i}`] = "met"));
      READINESS.forEach((_, i) => (better[`r${i}`] = "yes"));
      expect((await mina.fetch(location, { form: better })).status).toBe(303);
      const second = await (await mina.fetch(location)).text();
      expect(second).toContain("<strong>100 of 100</strong>");
      expect(second).toContain("Ready: every required prerequisite is met.");
      // The history: both saves, oldest first, in a table and an SVG chart.
      const rows = [...second.matchAll(/<td data-label="Score">([^<]+)<\/td>/g)].map((m) => m[1]);
      expect(rows).toEqual([String(api.score), "100"]);
      expect(second).toContain('<svg class="sparkline"');
      expect(second).toContain("<polyline");

      const list = await (await mina.fetch("/official/assessments")).text();
      expect(list).toContain(`href="${location}"`);
      expect(list).toContain("Ulaanbaatar");

      // Another official neither lists nor opens nor changes it.
      const joon = await official("joon", "another editor password");
      expect(await (await joon.fetch("/official/assessments")).text()).not.toContain(location);
      expect((await joon.fetch(location)).status).toBe(404);
      const joonToken = await joon.token("/official/assessments");
      expect((await joon.fetch(location, { form: { ...better, _csrf: joonToken } })).status).toBe(404);
      expect((await joon.fetch(`${location}/delete`, { form: { _csrf: joonToken } })).status).toBe(404);

      // Private: not an item, so not in the library's listing.
      const items = (await (await fetch(`${s.url}/api/items?limit=100`)).json()) as { items: { id: string }[] };
      expect(items.items.map((i) => i.id).sort()).toEqual([caseStudy.id, pathway.id].sort());

      const deleted = await mina.fetch(`${location}/delete`, { form: { _csrf: await mina.token(location) } });
      expect(deleted.status).toBe(303);
      expect((await mina.fetch(location)).status).toBe(404);
    });

    it("an update with an answer missing says which and keeps the last save", async () => {
      const mina = await official("mina", "a long editor password");
      const token = await mina.token(`/assess?${answers()}`);
      const saved = await mina.fetch("/official/assessments", {
        form: { ...Object.fromEntries(answers()), _csrf: token },
      });
      const location = saved.headers.get("location")!;
      const partial: Record<string, string> = { ...Object.fromEntries(answers()), _csrf: await mina.token(location) };
      delete partial.r0;
      const res = await mina.fetch(location, { form: partial });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('href="#r0"');
      const rows = [...(await (await mina.fetch(location)).text()).matchAll(/<td data-label="Score">/g)];
      expect(rows).toHaveLength(1);
    });

    it("pre-fills a new Adoption from a saved assessment: the case, pathway and profile; the score and gaps only when asked", async () => {
      const mina = await official("mina", "a long editor password");
      const token = await mina.token(`/assess?${answers()}`);
      const form = { ...Object.fromEntries(answers({ city: "Ulaanbaatar", income: "lower-middle" })), _csrf: token };
      const location = (await mina.fetch("/official/assessments", { form })).headers.get("location")!;
      const id = location.split("/").pop()!;
      const page = await (await mina.fetch(location)).text();
      expect(page).toContain(`href="/official/new/Adoption?assessment=${id}"`);
      const plain = await (await mina.fetch(`/official/new/Adoption?assessment=${id}`)).text();
      const caseId = (draftFixture("pathway.rich") as { case: string }).case;
      expect(plain).toMatch(new RegExp(`name="/case"[^>]*value="${caseId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`));
      expect(plain).toMatch(new RegExp(`name="/pathway"[^>]*value="${pathway.id}"`));
      expect(plain).toMatch(/<option value="considering" selected>/);
      expect(plain).toMatch(/<option value="lower-middle" selected>/);
      expect(plain).not.toMatch(/name="\/assessment\/score"[^>]*value="\d/);
      const shared = await (await mina.fetch(`/official/new/Adoption?assessment=${id}&share=1`)).text();
      const api = await apiScore();
      expect(shared).toMatch(new RegExp(`name="/assessment/score"[^>]*value="${api.score}"`));
      // Another official's assessment pre-fills nothing.
      const joon = await official("joon", "another editor password");
      expect(await (await joon.fetch(`/official/new/Adoption?assessment=${id}`)).text()).not.toContain(pathway.id);
    });

    it("sends a visitor without a login to the login page", async () => {
      const res = await webClient(s.url).fetch("/official/assessments");
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toMatch(/^\/login/);
    });
  });
});
