import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Item, ItemVersion } from "../db/entities.ts";
import type { StoredItem } from "../library/model.ts";
import { draftFixture, startTestServer, type TestServer } from "../test-support.ts";
import { describeEachDatabase } from "../db/test-databases.ts";
import { apiFetch } from "./test-support.ts";

let s: TestServer;
let pathway: StoredItem;
let caseStudy: StoredItem;

async function created(name: string): Promise<StoredItem> {
  const result = await s.library.create(draftFixture(name), { author: "test" });
  if (!result.ok) throw new Error(`fixture ${name} would not publish`);
  return result.item;
}

function assess(body: unknown, headers: Record<string, string> = { "content-type": "application/json" }) {
  return apiFetch(`${s.url}/api/assess`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

// pathway.rich: readiness weights 10, 7, 5, 2.5; prerequisites required, required, required,
// recommended (infrastructure), then recommended ones.
const prerequisiteCount = (draftFixture("pathway.rich").prerequisites as unknown[]).length;

describeEachDatabase("the assessment API", (database) => {
  beforeAll(async () => {
    s = await startTestServer({ database });
    pathway = await created("pathway.rich");
    caseStudy = await created("case-study.minimal");
  });
  afterAll(async () => {
    await s.close();
  });
  describe("POST /api/assess", () => {
    it("scores the answers against the pathway's current version, for anyone, without an account", async () => {
      const res = await assess({
        pathway: pathway.id,
        readiness: ["yes", "partly", "no", "yes"],
        prerequisites: Array.from({ length: prerequisiteCount }, (_, i) => (i === 1 ? "unmet" : "met")),
      });
      expect(res.status).toBe(200);
      // (10 + 7 · 0.5 + 0 + 2.5) / 24.5 = 65.3 %
      expect(await res.json()).toEqual({
        pathway: pathway.id,
        version: 1,
        score: 65,
        ready: false,
        gaps: [
          {
            index: 1,
            kind: "legal",
            level: "required",
            description: (draftFixture("pathway.rich").prerequisites as { description: string }[])[1]!.description,
            status: "unmet",
          },
        ],
      });
    });

    it("scores a peer's pathway the node holds as well as its own", async () => {
      const origin = "http://busan.test";
      const document = {
        ...draftFixture("pathway.minimal"),
        id: `${origin}/items/pathway-x`,
        attributedTo: `${origin}/cities/busan`,
        published: "2026-01-01T00:00:00Z",
        updated: "2026-01-02T00:00:00Z",
        version: 2,
        readiness: [
          { question: "Yes?", weight: 3 },
          { question: "No?", weight: 1 },
        ],
      };
      const provenance = { via: `${origin}/cities/busan`, receivedAt: "2026-02-01T00:00:00Z", kid: "k1" };
      expect((await s.library.ingest({ document, jws: "h..1", origin, provenance })).ok).toBe(true);
      const res = await assess({ pathway: document.id, readiness: ["yes", "no"], prerequisites: [] });
      expect(await res.json()).toEqual({ pathway: document.id, version: 2, score: 75, ready: true, gaps: [] });
    });

    it("stores nothing", async () => {
      const em = s.orm.em.fork();
      const before = { items: await em.count(Item), versions: await em.count(ItemVersion) };
      const res = await assess({
        pathway: pathway.id,
        readiness: ["yes", "yes", "yes", "yes"],
        prerequisites: Array.from({ length: prerequisiteCount }, () => "met"),
      });
      expect(await res.json()).toMatchObject({ score: 100, ready: true, gaps: [] });
      const after = s.orm.em.fork();
      expect({ items: await after.count(Item), versions: await after.count(ItemVersion) }).toEqual(before);
    });

    it("answers 400 with details for answer arrays of the wrong length", async () => {
      const res = await assess({ pathway: pathway.id, readiness: ["yes"], prerequisites: [] });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string; details: { path: string; message: string }[] };
      expect(body.error).toBe("the answers do not fit the pathway");
      expect(body.details.map((d) => d.path)).toEqual(["/readiness", "/prerequisites"]);
      expect(body.details[0]!.message).toContain("must have 4 answers");
    });

    it("answers 400 for an item that is not a pathway, or a pathway named by something other than a URL", async () => {
      const notPathway = await assess({ pathway: caseStudy.id, readiness: [], prerequisites: [] });
      expect(notPathway.status).toBe(400);
      expect(((await notPathway.json()) as { error: string }).error).toBe("the item is a CaseStudy, not a Pathway");
      for (const body of [{ pathway: 42 }, { pathway: "mvoting" }, {}, [1, 2]]) {
        const res = await assess(body);
        expect(res.status, JSON.stringify(body)).toBe(400);
      }
    });

    it("answers 404 for a pathway the node does not hold, and 410 for a deleted one", async () => {
      const unknown = await assess({ pathway: `${pathway.id}-nope`, readiness: [], prerequisites: [] });
      expect(unknown.status).toBe(404);
      const doomed = await created("pathway.minimal");
      const removed = await s.library.remove(doomed.id, { author: "test" });
      expect(removed.ok).toBe(true);
      const gone = await assess({ pathway: doomed.id, readiness: [], prerequisites: [] });
      expect(gone.status).toBe(410);
    });

    it("answers 415 for a body that is not JSON, and 413 for one over 64 KB", async () => {
      const form = await assess("pathway=x", { "content-type": "application/x-www-form-urlencoded" });
      expect(form.status).toBe(415);
      const huge = await assess({ pathway: pathway.id, readiness: Array(20_000).fill("yes"), prerequisites: [] });
      expect(huge.status).toBe(413);
    });
  });
});
