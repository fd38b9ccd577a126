import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDraftStore } from "../db/draft-store.ts";
import { describeEachDatabase } from "../db/test-databases.ts";
import { createTestLibrary, draftFixture, TEST_IDENTITY, type TestLibrary } from "../test-support.ts";
import { createDrafts, type DraftActor, type Drafts } from "./drafts.ts";

let dir: string;
let t: TestLibrary;
let drafts: Drafts;
const editor: DraftActor = { username: "mina", name: "Mina Park", role: "editor" };
const otherEditor: DraftActor = { username: "joon", name: "Joon Lee", role: "editor" };
const admin: DraftActor = { username: "root", name: "Node admin", role: "admin" };

describeEachDatabase("drafts", (database) => {
  beforeAll(async () => {
    // A real data folder (on SQLite: a real SQLite file), as a node keeps it.
    dir = mkdtempSync(join(tmpdir(), "wego-drafts-"));
    t = await createTestLibrary(TEST_IDENTITY, dir, { database });
    drafts = createDrafts({ store: createDraftStore(t.orm), library: t.library, maxBytes: 64 * 1024 });
  });
  afterAll(async () => {
    await t.orm.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("create() keeps a half-filled document unvalidated, unsigned and out of the library", async () => {
    const saved = await drafts.create({ type: "CaseStudy", document: { title: "Half a case", sdgs: ["x"] } }, editor);
    expect(saved.ok).toBe(true);
    if (!saved.ok) return;
    expect(saved.draft.id).toMatch(/^d-[0-9a-f]{24}$/);
    expect(saved.draft.id).not.toContain("http");
    expect(saved.draft.document).toEqual({ title: "Half a case", sdgs: ["x"], type: "CaseStudy" });
    expect((await t.library.list()).total).toBe(0);
    const rows = await t.orm.em.getKnex()("item_versions").count({ n: "*" });
    expect(Number((rows[0] as { n: number }).n)).toBe(0);
  });

  it("create() strips managed fields and control characters, and refuses drafts over the size bound", async () => {
    const saved = await drafts.create(
      {
        type: "Dataset",
        document: {
          id: "http://evil.test/items/x",
          version: 9,
          title: "Bus\u0000 stops\r\nlist\u001b",
          type: "CaseStudy",
        },
      },
      editor,
    );
    expect(saved.ok && saved.draft.document).toEqual({ title: "Bus stops\nlist", type: "Dataset" });
    const big = await drafts.create({ type: "Dataset", document: { title: "x", body: "a".repeat(70_000) } }, editor);
    expect(big).toMatchObject({ ok: false, reason: "too-large" });
    const deep = await drafts.create(
      { type: "Dataset", document: { a: { b: { c: { d: { e: { f: { g: { h: {} } } } } } } } } },
      editor,
    );
    expect(deep).toMatchObject({ ok: false, reason: "bad-shape" });
    const type = await drafts.create({ type: "Tombstone", document: {} }, editor);
    expect(type).toMatchObject({ ok: false, reason: "bad-shape" });
  });

  it("get(), list() and discard() let only the official who made a draft and admins near it", async () => {
    const saved = await drafts.create({ type: "Pathway", document: { title: "Mina's pathway" } }, editor);
    if (!saved.ok) throw new Error("not saved");
    const id = saved.draft.id;
    expect(await drafts.get(id, otherEditor)).toBeNull();
    expect((await drafts.get(id, admin))?.title).toBe("Mina's pathway");
    expect((await drafts.list(otherEditor)).map((d) => d.id)).not.toContain(id);
    expect((await drafts.list(editor)).map((d) => d.id)).toContain(id);
    expect((await drafts.list(admin)).map((d) => d.id)).toContain(id);
    expect(await drafts.update(id, { title: "taken over" }, otherEditor)).toMatchObject({
      ok: false,
      reason: "not-found",
    });
    expect(await drafts.publish(id, otherEditor)).toEqual({ ok: false, reason: "no-draft" });
    expect(await drafts.discard(id, otherEditor)).toBe(false);
    expect(await drafts.discard(id, admin)).toBe(true);
    expect(await drafts.get(id, editor)).toBeNull();
  });

  it("publish() runs the full validation and keeps the draft when it fails, then signs and removes it", async () => {
    const saved = await drafts.create({ type: "CaseStudy", document: { title: "Only a title" } }, editor);
    if (!saved.ok) throw new Error("not saved");
    const refused = await drafts.publish(saved.draft.id, editor);
    expect(refused.ok).toBe(false);
    expect(refused.ok === false && refused.reason).toBe("invalid");
    expect(await drafts.get(saved.draft.id, editor)).not.toBeNull();

    const complete = { ...draftFixture("case-study.minimal"), title: "Drafted then published" };
    expect((await drafts.update(saved.draft.id, complete, editor)).ok).toBe(true);
    const published = await drafts.publish(saved.draft.id, editor);
    expect(published.ok).toBe(true);
    if (!published.ok || !("item" in published)) return;
    expect(published.item.id).toMatch(new RegExp(`^${TEST_IDENTITY.origin}/items/drafted-then-published`));
    expect(published.item.jws).toMatch(/^[\w-]+\.\.[\w-]+$/);
    expect(published.item.version).toBe(1);
    expect(await drafts.get(saved.draft.id, editor)).toBeNull();
  });

  it("a draft of a published item holds pending edits: the item stays as it was until the draft is published", async () => {
    const created = await t.library.create(
      { ...draftFixture("case-study.minimal"), title: "Street lights" },
      { author: "x" },
    );
    if (!created.ok) throw new Error("fixture");
    const item = created.item;
    const saved = await drafts.create(
      {
        type: "CaseStudy",
        document: { ...item.document, summary: "Pending summary." },
        itemId: item.id,
        baseVersion: 1,
      },
      editor,
    );
    if (!saved.ok) throw new Error("not saved");
    expect(saved.draft).toMatchObject({ itemId: item.id, baseVersion: 1 });
    expect((await t.library.get(item.id))?.document.summary).toBe(item.document.summary);
    // Meanwhile someone else publishes version 2: publishing over version 1 is a conflict.
    await t.library.update(item.id, { ...item.document, summary: "Someone else's." }, { author: "y" });
    expect(await drafts.publish(saved.draft.id, editor, { expectedVersion: 1 })).toMatchObject({
      ok: false,
      reason: "conflict",
      currentVersion: 2,
    });
    const published = await drafts.publish(saved.draft.id, editor, { expectedVersion: 2 });
    expect(published.ok).toBe(true);
    const now = await t.library.get(item.id);
    expect(now?.version).toBe(3);
    expect(now?.document.summary).toBe("Pending summary.");
  });
});
