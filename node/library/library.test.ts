import canonicalize from "canonicalize";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Item, ItemVersion } from "../db/entities.ts";
import { verifyDetachedJws } from "../signing/jws.ts";
import { describeEachDatabase } from "../db/test-databases.ts";
import { createTestLibrary, draftFixture, type TestLibrary } from "../test-support.ts";

let t: TestLibrary;

async function counts() {
  const em = t.orm.em.fork();
  return { items: await em.count(Item), versions: await em.count(ItemVersion) };
}

describeEachDatabase("the library", (database) => {
  beforeEach(async () => {
    t = await createTestLibrary(undefined, undefined, { database });
  });
  afterEach(async () => {
    await t.library.close();
    await t.orm.close();
  });

  describe("create()", () => {
    it("stores version 1 with managed fields set by the node and a JWS that verifies", async () => {
      const result = await t.library.create(draftFixture("case-study.rich"), { author: "token:ed" });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const doc = result.item.document;
      expect(doc.id).toMatch(/^http:\/\/seoul\.test\/items\/[a-z0-9-]+$/);
      expect(doc.attributedTo).toBe("http://seoul.test/cities/seoul");
      expect(doc.version).toBe(1);
      expect(doc.published).toBe(doc.updated);
      const check = await verifyDetachedJws(doc, result.item.jws, await t.keys.publicKeys());
      expect(check.ok).toBe(true);
      expect(await counts()).toEqual({ items: 1, versions: 1 });
    });

    it("ignores client values of attributedTo, published, updated and version", async () => {
      const draft = {
        ...draftFixture("pathway.minimal"),
        attributedTo: "https://evil.example/cities/x",
        version: 99,
        published: "2001-01-01T00:00:00Z",
      };
      const result = await t.library.create(draft, { author: "a" });
      expect(result.ok && result.item.document.attributedTo).toBe("http://seoul.test/cities/seoul");
      expect(result.ok && result.item.document.version).toBe(1);
      expect(result.ok && result.item.document.published).not.toBe("2001-01-01T00:00:00Z");
    });

    it("rejects a client-chosen id and stores nothing", async () => {
      const result = await t.library.create(
        { ...draftFixture("dataset.minimal"), id: "http://seoul.test/items/mine" },
        { author: "a" },
      );
      expect(result).toEqual({
        ok: false,
        reason: "invalid",
        details: [{ path: "/id", message: expect.stringContaining("assigned by the node") }],
      });
      expect(await counts()).toEqual({ items: 0, versions: 0 });
    });

    it("reports every violation of an invalid document and stores nothing", async () => {
      const draft = draftFixture("case-study.minimal");
      delete draft.title;
      draft.themes = ["not-a-theme"];
      const result = await t.library.create(draft, { author: "a" });
      expect(result.ok).toBe(false);
      if (result.ok || result.reason !== "invalid") return;
      expect(result.details.map((d) => d.path).sort()).toEqual(["/themes/0", "/title"]);
      expect(await counts()).toEqual({ items: 0, versions: 0 });
    });

    it("fills city and country from the node when the document leaves them out", async () => {
      const draft = draftFixture("case-study.minimal");
      delete draft.city;
      delete draft.country;
      const result = await t.library.create(draft, { author: "a" });
      expect(result.ok && [result.item.document.city, result.item.document.country]).toEqual([
        "Seoul Metropolitan Government",
        "KR",
      ]);
    });

    it("renders the Markdown body sanitized at write time", async () => {
      const draft = {
        ...draftFixture("case-study.minimal"),
        body: "# Hi\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[x](javascript:alert(3))",
      };
      const result = await t.library.create(draft, { author: "a" });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const body = result.item.html["/body"]!;
      expect(body).toContain("<h1>Hi</h1>");
      expect(body).not.toMatch(/<script|onerror|javascript:/i);
      expect(body).toContain('<a rel="noopener noreferrer nofollow">x</a>');
    });
  });

  describe("createMany()", () => {
    it("stores the valid documents in one go and reports each invalid one by position", async () => {
      const bad = { ...draftFixture("dataset.minimal"), distributions: [] };
      const results = await t.library.createMany(
        [draftFixture("case-study.minimal"), bad, draftFixture("pathway.minimal")],
        { author: "bulk" },
      );
      expect(results.map((r) => r.ok)).toEqual([true, false, true]);
      expect(results[1]).toMatchObject({ ok: false, reason: "invalid", details: [{ path: "/distributions" }] });
      expect(await counts()).toEqual({ items: 2, versions: 2 });
    });
  });

  describe("update()", () => {
    it("stores a new signed version and keeps the old one readable with its own signature", async () => {
      const created = await t.library.create(draftFixture("case-study.minimal"), { author: "alice" });
      if (!created.ok) throw new Error("setup failed");
      const id = created.item.id;
      const updated = await t.library.update(
        id,
        { ...draftFixture("case-study.minimal"), title: "A better title" },
        { author: "bob" },
      );
      expect(updated.ok).toBe(true);
      if (!updated.ok) return;
      expect(updated.item.version).toBe(2);
      expect(updated.item.document.published).toBe(created.item.document.published);
      expect(Date.parse(updated.item.document.updated as string)).toBeGreaterThan(
        Date.parse(created.item.document.updated as string),
      );
      const v1 = await t.library.get(id, 1);
      expect(v1?.document.title).toBe(created.item.document.title);
      const keys = await t.keys.publicKeys();
      expect((await verifyDetachedJws(v1!.document, v1!.jws, keys)).ok).toBe(true);
      expect((await verifyDetachedJws(updated.item.document, updated.item.jws, keys)).ok).toBe(true);
      const history = await t.library.versions(id);
      expect(history?.map((h) => [h.version, h.author, h.changed])).toEqual([
        [2, "bob", ["title"]],
        [1, "alice", []],
      ]);
    });

    it("refuses a stale expected version and stores nothing", async () => {
      const created = await t.library.create(draftFixture("case-study.minimal"), { author: "a" });
      if (!created.ok) throw new Error("setup failed");
      await t.library.update(created.item.id, draftFixture("case-study.minimal"), { author: "a", expectedVersion: 1 });
      const stale = await t.library.update(created.item.id, draftFixture("case-study.minimal"), {
        author: "b",
        expectedVersion: 1,
      });
      expect(stale).toEqual({ ok: false, reason: "conflict", currentVersion: 2 });
      expect(await counts()).toEqual({ items: 1, versions: 2 });
    });

    it("lets exactly one of two concurrent updates of the same version win", async () => {
      const created = await t.library.create(draftFixture("case-study.minimal"), { author: "a" });
      if (!created.ok) throw new Error("setup failed");
      const [a, b] = await Promise.all([
        t.library.update(created.item.id, { ...draftFixture("case-study.minimal"), title: "A" }, { author: "a" }),
        t.library.update(created.item.id, { ...draftFixture("case-study.minimal"), title: "B" }, { author: "b" }),
      ]);
      expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
      expect([a, b].find((r) => !r.ok)).toMatchObject({ reason: "conflict" });
      expect(await counts()).toEqual({ items: 1, versions: 2 });
    });

    it("refuses to change the type or the id, and an invalid update leaves the item as it was", async () => {
      const created = await t.library.create(draftFixture("case-study.minimal"), { author: "a" });
      if (!created.ok) throw new Error("setup failed");
      const retyped = await t.library.update(created.item.id, draftFixture("pathway.minimal"), { author: "a" });
      expect(retyped).toMatchObject({ ok: false, reason: "invalid", details: [{ path: "/type" }] });
      const moved = await t.library.update(
        created.item.id,
        { ...draftFixture("case-study.minimal"), id: "http://seoul.test/items/other" },
        { author: "a" },
      );
      expect(moved).toMatchObject({ ok: false, reason: "invalid", details: [{ path: "/id" }] });
      const broken = await t.library.update(
        created.item.id,
        { ...draftFixture("case-study.minimal"), language: "not a tag" },
        { author: "a" },
      );
      expect(broken).toMatchObject({ ok: false, reason: "invalid", details: [{ path: "/language" }] });
      expect((await t.library.get(created.item.id))?.version).toBe(1);
    });

    it("answers not-found for an unknown id", async () => {
      expect(
        await t.library.update("http://seoul.test/items/nope", draftFixture("case-study.minimal"), { author: "a" }),
      ).toEqual({ ok: false, reason: "not-found" });
    });
  });

  describe("remove()", () => {
    it("ends the item with a signed Tombstone version and hides it from listings", async () => {
      const created = await t.library.create(draftFixture("dataset.rich"), { author: "a" });
      if (!created.ok) throw new Error("setup failed");
      const removed = await t.library.remove(created.item.id, { author: "b" });
      expect(removed.ok).toBe(true);
      if (!removed.ok) return;
      expect(removed.item.document).toMatchObject({
        type: "Tombstone",
        formerType: "Dataset",
        version: 2,
        id: created.item.id,
      });
      expect((await verifyDetachedJws(removed.item.document, removed.item.jws, await t.keys.publicKeys())).ok).toBe(
        true,
      );
      expect((await t.library.get(created.item.id))?.deleted).toBe(true);
      expect((await t.library.list()).total).toBe(0);
      expect(await t.library.update(created.item.id, draftFixture("dataset.rich"), { author: "c" })).toEqual({
        ok: false,
        reason: "gone",
      });
      expect(await t.library.remove(created.item.id, { author: "c" })).toEqual({ ok: false, reason: "gone" });
    });
  });

  describe("list()", () => {
    it("lists live items newest first, filtered by type and city, with paging", async () => {
      const ids: string[] = [];
      for (const name of ["case-study.minimal", "pathway.minimal", "dataset.minimal", "case-study.rich"]) {
        const r = await t.library.create(draftFixture(name), { author: "a" });
        if (r.ok) ids.push(r.item.id);
      }
      const all = await t.library.list();
      expect(all.total).toBe(4);
      expect(all.items.map((i) => i.id)).toEqual([...ids].reverse());
      const cases = await t.library.list({ type: "CaseStudy" });
      expect(cases.items.map((i) => i.type)).toEqual(["CaseStudy", "CaseStudy"]);
      const page = await t.library.list({ limit: 2, offset: 2 });
      expect(page.total).toBe(4);
      expect(page.items.map((i) => i.id)).toEqual([ids[1], ids[0]]);
      expect((await t.library.list({ city: "Nowhere" })).total).toBe(0);
    });
  });

  describe("subscribe()", () => {
    it("announces stored and deleted items after they are committed", async () => {
      const seen: string[] = [];
      const off = t.library.subscribe((changes) => {
        for (const c of changes) seen.push(c.kind === "stored" ? `stored ${c.item.version}` : `deleted ${c.version}`);
      });
      const created = await t.library.create(draftFixture("case-study.minimal"), { author: "a" });
      if (!created.ok) throw new Error("setup failed");
      await t.library.update(created.item.id, draftFixture("case-study.minimal"), { author: "a" });
      await t.library.create({ type: "CaseStudy" }, { author: "a" });
      await t.library.remove(created.item.id, { author: "a" });
      off();
      await t.library.create(draftFixture("case-study.minimal"), { author: "a" });
      expect(seen).toEqual(["stored 1", "stored 2", "deleted 3"]);
    });
  });

  describe("ingest()", () => {
    const origin = "http://busan.test";
    function peerDoc(version: number, extra: Record<string, unknown> = {}) {
      return {
        ...draftFixture("case-study.minimal"),
        id: `${origin}/items/x`,
        attributedTo: `${origin}/cities/busan`,
        published: "2026-01-01T00:00:00Z",
        updated: `2026-01-0${version}T00:00:00Z`,
        version,
        ...extra,
      };
    }
    const provenance = { via: `${origin}/cities/busan`, receivedAt: "2026-02-01T00:00:00Z", kid: "k1" };

    it("stores a peer's version once, refuses older and forked versions, and applies a newer one", async () => {
      expect(await t.library.ingest({ document: peerDoc(2), jws: "h..s", origin, provenance })).toEqual({
        ok: true,
        status: "stored",
      });
      expect(await t.library.ingest({ document: peerDoc(2), jws: "h..s", origin, provenance })).toEqual({
        ok: true,
        status: "unchanged",
      });
      expect(await t.library.ingest({ document: peerDoc(1), jws: "h..s", origin, provenance })).toEqual({
        ok: false,
        reason: "stale",
        heldVersion: 2,
      });
      expect(
        await t.library.ingest({ document: peerDoc(2, { title: "Fork" }), jws: "h..s", origin, provenance }),
      ).toEqual({ ok: false, reason: "conflict", heldVersion: 2 });
      expect(
        await t.library.ingest({ document: peerDoc(3, { title: "Third" }), jws: "h..t", origin, provenance }),
      ).toEqual({ ok: true, status: "stored" });
      const held = await t.library.get(`${origin}/items/x`);
      expect(held).toMatchObject({ version: 3, local: false, origin, title: "Third", provenance });
      expect((await t.library.versions(`${origin}/items/x`))?.map((v) => v.version)).toEqual([3, 2]);
    });

    it("stores a peer's version as the canonical JSON its signature check verified, without computing it again", async () => {
      const document = { ...peerDoc(1), id: `${origin}/items/canonical` };
      // Key order differs from RFC 8785's: the text handed in is what the store keeps.
      const canonical = canonicalize(document) as string;
      expect(await t.library.ingest({ document, jws: "h..c", origin, provenance, canonical })).toEqual({
        ok: true,
        status: "stored",
      });
      const stored: string[] = [];
      for await (const s of t.library.signedItems("network")) if (s.id === document.id) stored.push(s.document);
      expect(stored).toEqual([canonical]);
      expect(await t.library.ingest({ document, jws: "h..c", origin, provenance, canonical: `${canonical} ` })).toEqual(
        {
          ok: false,
          reason: "conflict",
          heldVersion: 1,
        },
      );
    });

    it("commits deliveries that arrive together in one batch, in order, each with its own result", async () => {
      const results = await Promise.all([
        t.library.ingest({ document: peerDoc(1), jws: "h..1", origin, provenance }),
        t.library.ingest({ document: peerDoc(2), jws: "h..2", origin, provenance }),
        t.library.ingest({ document: peerDoc(1), jws: "h..1", origin, provenance }),
        t.library.ingest({ document: { ...peerDoc(1), id: `${origin}/items/y` }, jws: "h..y", origin, provenance }),
      ]);
      expect(results).toEqual([
        { ok: true, status: "stored" },
        { ok: true, status: "stored" },
        { ok: false, reason: "stale", heldVersion: 2 },
        { ok: true, status: "stored" },
      ]);
      expect((await t.library.list({ local: false })).total).toBe(2);
    });

    it("applies a signed Tombstone and never lets an older version bring the item back", async () => {
      await t.library.ingest({ document: peerDoc(1), jws: "h..1", origin, provenance });
      const tombstone = {
        id: `${origin}/items/x`,
        type: "Tombstone",
        formerType: "CaseStudy",
        attributedTo: `${origin}/cities/busan`,
        published: "2026-01-01T00:00:00Z",
        updated: "2026-01-03T00:00:00Z",
        deleted: "2026-01-03T00:00:00Z",
        version: 2,
      };
      expect(await t.library.ingest({ document: tombstone, jws: "h..t", origin, provenance })).toEqual({
        ok: true,
        status: "deleted",
      });
      expect((await t.library.get(`${origin}/items/x`))?.deleted).toBe(true);
      expect(await t.library.ingest({ document: peerDoc(1), jws: "h..1", origin, provenance })).toMatchObject({
        ok: false,
        reason: "stale",
      });
      expect((await t.library.list()).total).toBe(0);
    });

    it("refuses to overwrite a local item and renders a peer's Markdown on first read", async () => {
      const local = await t.library.create(draftFixture("case-study.minimal"), { author: "a" });
      if (!local.ok) throw new Error("setup failed");
      expect(
        await t.library.ingest({ document: { ...peerDoc(5), id: local.item.id }, jws: "h..s", origin, provenance }),
      ).toMatchObject({ ok: false, reason: "local" });
      await t.library.ingest({
        document: peerDoc(1, { body: "# Heading\n\n<script>x()</script>" }),
        jws: "h..1",
        origin,
        provenance,
      });
      const read = await t.library.get(`${origin}/items/x`);
      expect(read?.html["/body"]).toBe("<h1>Heading</h1>\n");
    });

    it("purgeOrigin() removes every item of a blocked peer and announces the deletions", async () => {
      await t.library.ingest({ document: peerDoc(1), jws: "h..1", origin, provenance });
      const seen: string[] = [];
      t.library.subscribe((changes) => changes.forEach((c) => seen.push(c.kind)));
      expect(await t.library.purgeOrigin(origin)).toBe(1);
      expect(seen).toEqual(["deleted"]);
      expect(await t.library.get(`${origin}/items/x`)).toBeNull();
      await expect(t.library.purgeOrigin(t.identity.origin)).rejects.toThrow(TypeError);
    });
  });
});
