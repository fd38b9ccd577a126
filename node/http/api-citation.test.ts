import { parse as parseRis } from "astrocite-ris";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { draftFixture, startTestServer, type TestServer } from "../test-support.ts";
import { describeEachDatabase } from "../db/test-databases.ts";
import { readOutput, skipWithout } from "../outputs/test-readers.ts";
import { addPeerRow, apiFetch, busanCaseStudy, ingestFromBusan } from "./test-support.ts";

let node: TestServer;
let id: string;
const peerId = "http://busan.test/items/ferry-app";
// Longer than 70 characters: citation-js wraps RIS values there (see citation.ts).
const title =
  "120 다산콜센터: 하나의 번호로 답하는 서울, 여러 부서의 민원 전화를 한 곳에 모아 첫 통화에서 답하는 시민 상담 창구의 이야기";

async function cite(itemId: string, format: string): Promise<{ status: number; type: string | null; body: string }> {
  const res = await apiFetch(`${node.url}/api/items/citation?${new URLSearchParams({ id: itemId, format })}`);
  return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
}

const year = String(new Date().getUTCFullYear());

describeEachDatabase("citations", (database) => {
  beforeAll(async () => {
    node = await startTestServer({ database });
    const created = await node.library.create(
      { ...draftFixture("case-study.minimal"), title, language: "ko" },
      { author: "test" },
    );
    if (!created.ok) throw new Error("fixture rejected");
    const updated = await node.library.update(
      created.item.id,
      { ...draftFixture("case-study.minimal"), title, language: "ko" },
      { author: "test" },
    );
    if (!updated.ok) throw new Error("update rejected");
    id = created.item.id;
    await addPeerRow(node.orm, "http://busan.test/cities/busan", "Busan Metropolitan City");
    // The peer's document names Seoul as its city: the reference names the city that signed it.
    await ingestFromBusan(node.library, {
      ...busanCaseStudy(peerId, { title: "Busan ferry app", city: "Seoul" }),
      updated: "2025-06-30T00:00:00Z",
    });
  });
  afterAll(async () => {
    await node?.close();
  });
  describe("GET /api/items/citation", () => {
    it.skipIf(skipWithout("bibtexparser"))(
      "answers BibTeX that bibtexparser reads back: the Korean title, the city as author, the year, version and URL",
      async () => {
        const { status, type, body } = await cite(id, "bibtex");
        expect(status).toBe(200);
        expect(type).toBe("application/x-bibtex; charset=utf-8");
        const { entries } = readOutput<{ entries: Record<string, string>[] }>("bibtex", body);
        expect(entries).toHaveLength(1);
        expect(entries[0]).toMatchObject({
          title: title,
          author: `{${node.identity.name}}`,
          year,
          url: id,
          ENTRYTYPE: expect.stringMatching(/^(techreport|report)$/),
        });
      },
    );

    it.skipIf(skipWithout("bibtexparser"))(
      "keeps a title with braces and TeX characters inside its field: no field can be added through it",
      async () => {
        const created = await node.library.create(
          { ...draftFixture("case-study.minimal"), title: "Budget } , note = {forged} , 100% & $x$ \\input" },
          { author: "test" },
        );
        if (!created.ok) throw new Error("fixture rejected");
        const { entries } = readOutput<{ entries: Record<string, string>[] }>(
          "bibtex",
          (await cite(created.item.id, "bibtex")).body,
        );
        expect(entries).toHaveLength(1);
        expect(Object.keys(entries[0]!).sort()).toEqual(
          ["ENTRYTYPE", "ID", "author", "institution", "month", "note", "title", "type", "url", "year"].sort(),
        );
        expect(entries[0]!.title).toBe(
          "Budget \\textbraceright{} , note = \\textbraceleft{}forged\\textbraceright{} , 100\\% \\& \\$x\\$ \\textbackslash{}input",
        );
        expect(entries[0]!.note).toMatch(/^\[Online; accessed \d{4}-\d\d-\d\d\]$/);
      },
    );

    it("answers RIS that an independent reader (astrocite-ris) reads back to the title, author and year", async () => {
      const { status, type, body } = await cite(id, "ris");
      expect(status).toBe(200);
      expect(type).toBe("application/x-research-info-systems; charset=utf-8");
      const [record] = parseRis(body) as {
        title: string;
        author: { given?: string; family?: string; literal?: string }[];
        issued: unknown;
        URL: string;
      }[];
      expect(record!.title).toBe(title);
      // RIS has no mark for an organisation as author: a reader splits it like a person's name,
      // and the whole name is still there.
      const names = record!.author.map((a) => a.literal ?? [a.given, a.family].filter(Boolean).join(" "));
      expect(names).toEqual([node.identity.name]);
      expect(record!.issued).toEqual({ "date-parts": [[year]] });
      expect(record!.URL).toBe(id);
    });

    it("answers CSL-JSON and a formatted reference naming the city, title, year, version, node, URL and access date", async () => {
      const csl = await cite(id, "csl-json");
      expect(csl.type).toBe("application/vnd.citationstyles.csl+json; charset=utf-8");
      expect(JSON.parse(csl.body)).toEqual([
        expect.objectContaining({
          type: "report",
          title,
          author: [{ literal: node.identity.name }],
          version: "2",
          publisher: "WeGO Exchange (seoul.test)",
          URL: id,
          accessed: { "date-parts": [expect.arrayContaining([Number(year)])] },
        }),
      ]);
      const text = (await cite(id, "text")).body;
      expect(text).toContain(node.identity.name);
      expect(text).toContain(title);
      expect(text).toContain(`(${year}`);
      expect(text).toContain("Version 2");
      expect(text).toContain("WeGO Exchange (seoul.test)");
      expect(text).toContain(id);
    });

    it("names a peer's item after the city that signed it, never the city its document claims", async () => {
      const csl = JSON.parse((await cite(peerId, "csl-json")).body) as Record<string, unknown>[];
      expect(csl[0]).toMatchObject({
        author: [{ literal: "Busan Metropolitan City" }],
        publisher: "WeGO Exchange (busan.test)",
        issued: { "date-parts": [[2025, 6, 30]] },
      });
    });

    it("answers 400 for a missing id or an unknown format, 404 for an unknown item", async () => {
      expect((await cite(id, "endnote")).status).toBe(400);
      expect((await apiFetch(`${node.url}/api/items/citation?format=ris`)).status).toBe(400);
      const missing = await cite("http://seoul.test/items/nothing", "ris");
      expect(missing.status).toBe(404);
      expect(JSON.parse(missing.body)).toEqual({ error: "no such item" });
    });

    it("shows a Cite this box on the item page with the reference and its downloads", async () => {
      const res = await fetch(`${node.url}${new URL(id).pathname}`, { headers: { accept: "text/html" } });
      const page = await res.text();
      expect(page).toContain('<section class="cite" aria-labelledby="cite-h">');
      expect(page).toContain(`${node.identity.name}. (${year})`);
      for (const format of ["bibtex", "ris", "csl-json"])
        expect(page).toContain(
          `href="/api/items/citation?${new URLSearchParams({ id, format }).toString().replaceAll("&", "&amp;")}"`,
        );
      const korean = await (await fetch(`${node.url}${new URL(id).pathname}?lang=ko`)).text();
      expect(korean).toContain("인용하기");
    });
  });
});
