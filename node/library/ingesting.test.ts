import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createItemStore, type ItemStore } from "../db/item-store.ts";
import { createMetaStore } from "../db/meta-store.ts";
import { describeEachDatabase, TEST_DATABASES, type TestDatabase } from "../db/test-databases.ts";
import { createTestLibrary, draftFixture, type TestLibrary } from "../test-support.ts";
import { renderUnrendered } from "./render-backlog.ts";

let t: TestLibrary;
let store: ItemStore;
let database: TestDatabase = TEST_DATABASES[0]!;

beforeEach(async () => {
  t = await createTestLibrary(undefined, undefined, { database });
  store = createItemStore(t.orm);
});
afterEach(async () => {
  await t.orm.close();
});

const origin = "http://busan.test";
const id = `${origin}/items/x`;
const provenance = { via: `${origin}/cities/busan`, receivedAt: "2026-02-01T00:00:00Z", kid: "k1" };
function peerDoc(version: number, extra: Record<string, unknown> = {}) {
  return {
    ...draftFixture("case-study.minimal"),
    id,
    attributedTo: `${origin}/cities/busan`,
    published: "2026-01-01T00:00:00Z",
    updated: `2026-01-0${version}T00:00:00Z`,
    version,
    ...extra,
  };
}

/** The html column of the item's current version, as stored. */
async function storedHtml(s: ItemStore = store): Promise<string | undefined> {
  return (await s.get(id))?.version.html;
}

/** The stored html once the rendering that follows a commit has written it. */
async function renderedHtml(s: ItemStore = store): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const html = await storedHtml(s);
    if (html) return html;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("the ingested version was never rendered");
}

describeEachDatabase("ingesting", (db) => {
  beforeAll(() => {
    database = db;
  });
  afterAll(() => {
    database = TEST_DATABASES[0]!;
  });

  describe("ingest", () => {
    it("stores a peer's rendered Markdown with its version after the commit, so reads never render", async () => {
      await t.library.ingest({ document: peerDoc(1, { body: "# Heading" }), jws: "h..1", origin, provenance });
      expect(JSON.parse(await renderedHtml())).toEqual({ "/body": "<h1>Heading</h1>\n" });
    });

    it("renders through the library's render function (the render worker in a running node)", async () => {
      const seen: unknown[] = [];
      const other = await createTestLibrary(undefined, ":memory:", {
        database,
        render: async (d) => {
          seen.push(d.id);
          return { "/body": "<p>worker</p>" };
        },
      });
      try {
        await other.library.ingest({ document: peerDoc(1), jws: "h..1", origin, provenance });
        expect(JSON.parse(await renderedHtml(createItemStore(other.orm)))).toEqual({ "/body": "<p>worker</p>" });
        expect(seen).toEqual([id]);
        expect((await other.library.get(id))?.html).toEqual({ "/body": "<p>worker</p>" });
      } finally {
        await other.orm.close();
      }
    });
  });

  describe("the render backlog", () => {
    it("lets ingest answer before the Markdown is rendered; the HTML is stored once it is", async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const other = await createTestLibrary(undefined, ":memory:", {
        database,
        render: async () => {
          await gate;
          return { "/body": "<p>late</p>" };
        },
      });
      try {
        const result = await other.library.ingest({ document: peerDoc(1), jws: "h..1", origin, provenance });
        expect(result).toEqual({ ok: true, status: "stored" });
        expect(await storedHtml(createItemStore(other.orm))).toBe("");
        release();
        expect(JSON.parse(await renderedHtml(createItemStore(other.orm)))).toEqual({ "/body": "<p>late</p>" });
      } finally {
        await other.library.close();
        await other.orm.close();
      }
    });

    it("renders nothing while a bulk load holds it, even across pauses, and what waited once it is released", async () => {
      const rendered: unknown[] = [];
      const other = await createTestLibrary(undefined, ":memory:", {
        database,
        render: async (d) => {
          rendered.push(d.id);
          return { "/body": "<p>after</p>" };
        },
      });
      try {
        const release = other.library.holdRendering();
        await other.library.ingest({ document: peerDoc(1), jws: "h..1", origin, provenance });
        // Longer than the pause after which an unheld backlog renders (250 ms).
        await new Promise((r) => setTimeout(r, 600));
        expect(rendered).toEqual([]);
        expect(await storedHtml(createItemStore(other.orm))).toBe("");
        release();
        release(); // a second call of the same release changes nothing
        expect(JSON.parse(await renderedHtml(createItemStore(other.orm)))).toEqual({ "/body": "<p>after</p>" });
        expect(rendered).toEqual([id]);
      } finally {
        await other.library.close();
        await other.orm.close();
      }
    });

    it("reports a version that will not render, leaves it for reads and renders the others", async () => {
      const errors: unknown[] = [];
      const other = await createTestLibrary(undefined, ":memory:", {
        database,
        render: async (d) => {
          if (d.body === "bad") throw new Error("no");
          return { "/body": "<p>good</p>" };
        },
        onRenderError: (e) => errors.push(e),
      });
      try {
        const good = { ...peerDoc(1), id: `${origin}/items/good` };
        await other.library.ingest({ document: peerDoc(1, { body: "bad" }), jws: "h..1", origin, provenance });
        await other.library.ingest({ document: good, jws: "h..1", origin, provenance });
        await other.library.renderPending();
        const otherStore = createItemStore(other.orm);
        expect(await storedHtml(otherStore)).toBe("");
        expect(JSON.parse((await otherStore.get(good.id))!.version.html)).toEqual({ "/body": "<p>good</p>" });
        expect(errors).toHaveLength(1);
        expect(String(errors[0])).toMatch(/^Error: 1 of \d versions would not render; reads render them$/);
      } finally {
        await other.library.close();
        await other.orm.close();
      }
    });
  });

  describe("versions an older node stored without HTML", () => {
    beforeEach(async () => {
      await t.library.ingest({ document: peerDoc(1, { body: "*old*" }), jws: "h..1", origin, provenance });
      await renderedHtml();
      // What a node before ingest-time rendering stored: html "" until the first read, and no
      // record of the render backlog's progress.
      await t.library.close();
      await t.orm.em.getKnex()("item_versions").update({ html: "" });
      await t.orm.em.getKnex()("meta").where({ key: "rendered-through-seq" }).delete();
    });

    it("read correctly without writing", async () => {
      expect((await t.library.get(id))?.html).toEqual({ "/body": "<p><em>old</em></p>\n" });
      expect(await storedHtml()).toBe("");
    });

    it("are rendered once by renderUnrendered(), which later looks only at newer versions", async () => {
      const meta = createMetaStore(t.orm);
      expect(await renderUnrendered({ store, meta, render: async (d) => ({ "/body": String(d.body) }) })).toBe(1);
      expect(JSON.parse((await storedHtml())!)).toEqual({ "/body": "*old*" });
      await t.orm.em.getKnex()("item_versions").update({ html: "" });
      expect(await renderUnrendered({ store, meta, render: async () => ({}) })).toBe(0);
    });
  });

  describe("getMany()", () => {
    it("returns the current versions of the known ids in one read", async () => {
      await t.library.ingest({ document: peerDoc(2, { title: "Two" }), jws: "h..2", origin, provenance });
      const found = await t.library.getMany([id, `${origin}/items/unknown`]);
      expect([...found.keys()]).toEqual([id]);
      expect(found.get(id)).toMatchObject({ version: 2, title: "Two", local: false });
    });
  });
});
