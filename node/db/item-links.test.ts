import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestLibrary, draftFixture, type TestLibrary } from "../test-support.ts";
import { createItemStore } from "./item-store.ts";
import { MAX_REFERENCES, referencesOf } from "./item-links.ts";
import { describeEachDatabase } from "./test-databases.ts";

const PEER = "http://busan.test";
let t: TestLibrary;
let caseId: string;

/** A document of `fixture` that names `caseId` as its case or related case. */
function pathwayFor(target: string, title = "Pathway to adopt it"): Record<string, unknown> {
  return { ...draftFixture("pathway.minimal"), title, case: target };
}

/** The ids linking to `target`, by type. */
async function linking(target: string, perType = 10): Promise<Record<string, { total: number; ids: string[] }>> {
  const groups = await t.library.linkingTo(target, perType);
  return Object.fromEntries(groups.map((g) => [g.type, { total: g.total, ids: g.items.map((i) => i.id) }]));
}

async function peerVersion(id: string, version: number, fields: Record<string, unknown>): Promise<void> {
  const result = await t.library.ingest({
    document: {
      ...draftFixture("dataset.minimal"),
      id,
      attributedTo: `${PEER}/cities/busan`,
      published: "2026-01-01T00:00:00Z",
      updated: `2026-01-0${version}T00:00:00Z`,
      version,
      ...fields,
    },
    jws: "eyJhbGciOiJFZERTQSJ9..c2ln",
    origin: PEER,
    provenance: { via: `${PEER}/cities/busan`, receivedAt: "2026-01-05T00:00:00Z", kid: "busan-key" },
  });
  expect(result.ok).toBe(true);
}

describe("referencesOf()", () => {
  it("takes case, pathway, relatedCases and links, distinct, never the item itself or a Tombstone's", () => {
    const id = "http://seoul.test/items/x";
    expect(
      referencesOf({
        id,
        type: "Dataset",
        case: "http://seoul.test/items/a",
        relatedCases: ["http://seoul.test/items/a", "http://seoul.test/items/b", "not a url"],
        links: [
          { rel: "pathway", href: "http://seoul.test/items/p" },
          { rel: "related", href: id },
          { rel: "pathway", href: "http://seoul.test/items/p" },
        ],
      }),
    ).toEqual([
      { target: "http://seoul.test/items/a", rel: "case" },
      { target: "http://seoul.test/items/b", rel: "case" },
      { target: "http://seoul.test/items/p", rel: "pathway" },
    ]);
    expect(referencesOf({ id, type: "Tombstone", case: "http://seoul.test/items/a" })).toEqual([]);
  });

  it("takes a case's adaptedFrom and an adoption's case and pathway, each under its own rel", () => {
    expect(
      referencesOf({ id: "http://busan.test/items/c", type: "CaseStudy", adaptedFrom: "http://seoul.test/items/a" }),
    ).toEqual([{ target: "http://seoul.test/items/a", rel: "adaptedFrom" }]);
    expect(
      referencesOf({
        type: "Adoption",
        case: "http://seoul.test/items/a",
        pathway: "http://seoul.test/items/p",
      }),
    ).toEqual([
      { target: "http://seoul.test/items/a", rel: "case" },
      { target: "http://seoul.test/items/p", rel: "pathway" },
    ]);
  });

  it("keeps at most MAX_REFERENCES of one document", () => {
    const links = Array.from({ length: MAX_REFERENCES + 50 }, (_, i) => ({
      rel: "related",
      href: `http://a.test/${i}`,
    }));
    expect(referencesOf({ type: "CaseStudy", links })).toHaveLength(MAX_REFERENCES);
  });
});

describeEachDatabase("linkingTo()", (database) => {
  beforeAll(async () => {
    t = await createTestLibrary(undefined, undefined, { database });
    const made = await t.library.create(
      { ...draftFixture("case-study.minimal"), title: "mVoting" },
      { author: "test" },
    );
    if (!made.ok) throw new Error("fixture");
    caseId = made.item.id;
  });
  afterAll(async () => {
    // The render backlog first: the peers' versions ingested here would otherwise render on a closed store.
    await t.library.close();
    await t.orm.close(true);
  });

  it("lists a pathway whose case is the item, and drops it when a new version names another case", async () => {
    const made = await t.library.create(pathwayFor(caseId), { author: "test" });
    if (!made.ok) throw new Error("create");
    expect((await linking(caseId)).Pathway).toEqual({ total: 1, ids: [made.item.id] });
    const other = "http://seoul.test/items/another-case";
    const updated = await t.library.update(made.item.id, pathwayFor(other), { author: "test" });
    expect(updated.ok).toBe(true);
    expect((await linking(caseId)).Pathway).toBeUndefined();
    expect((await linking(other)).Pathway?.ids).toEqual([made.item.id]);
  });

  it("forgets a deleted item's links, and its rows with it", async () => {
    const made = await t.library.create(pathwayFor(caseId, "Deleted pathway"), { author: "test" });
    if (!made.ok) throw new Error("create");
    expect((await linking(caseId)).Pathway?.ids).toContain(made.item.id);
    expect((await t.library.remove(made.item.id, { author: "test" })).ok).toBe(true);
    expect((await linking(caseId)).Pathway?.ids ?? []).not.toContain(made.item.id);
    const rows = (await t.orm.em.getKnex()("item_links").where("source_id", made.item.id)) as unknown[];
    expect(rows).toEqual([]);
  });

  it("lists a peer's verified dataset that names the case, follows its new versions and its purge", async () => {
    const id = `${PEER}/items/shelters`;
    await peerVersion(id, 1, { relatedCases: [caseId] });
    expect((await linking(caseId)).Dataset).toEqual({ total: 1, ids: [id] });
    const [group] = (await t.library.linkingTo(caseId)).filter((g) => g.type === "Dataset");
    expect(group?.items[0]).toMatchObject({ origin: PEER, local: false, rels: ["case"] });
    await peerVersion(id, 2, { links: [{ rel: "related", href: "http://seoul.test/items/elsewhere" }] });
    expect((await linking(caseId)).Dataset).toBeUndefined();
    await peerVersion(id, 3, { relatedCases: [caseId] });
    expect((await linking(caseId)).Dataset?.ids).toEqual([id]);
    expect(await t.library.purgeOrigin(PEER)).toBe(1);
    expect((await linking(caseId)).Dataset).toBeUndefined();
  });

  it("keeps the links of the newest version when one ingest batch carries two versions of an item", async () => {
    const id = `${PEER}/items/batch`;
    const first = "http://seoul.test/items/first-target";
    const second = "http://seoul.test/items/second-target";
    // Deliveries that arrive together share one transaction (ingesting.ts).
    await Promise.all([peerVersion(id, 1, { relatedCases: [first] }), peerVersion(id, 2, { relatedCases: [second] })]);
    expect((await linking(first)).Dataset).toBeUndefined();
    expect((await linking(second)).Dataset?.ids).toEqual([id]);
  });

  it("lists the items naming a case through list({ case }), filtered and paged, newest first", async () => {
    const target = "http://seoul.test/items/listed-case";
    const ids: string[] = [];
    for (const n of [1, 2]) {
      const made = await t.library.create(pathwayFor(target, `Listed pathway ${n}`), { author: "test" });
      if (!made.ok) throw new Error("create");
      ids.push(made.item.id);
    }
    const all = await t.library.list({ case: target });
    expect(all.total).toBe(2);
    expect(new Set(all.items.map((i) => i.id))).toEqual(new Set(ids));
    const page = await t.library.list({ case: target, limit: 1 });
    expect(page).toMatchObject({ total: 2 });
    expect(page.items).toHaveLength(1);
    expect((await t.library.list({ case: target, type: "Dataset" })).total).toBe(0);
    expect((await t.library.list({ case: target, local: true, type: "Pathway" })).total).toBe(2);
  });

  it("caps each type's list and still counts them all", async () => {
    const target = "http://seoul.test/items/popular";
    for (const n of [1, 2, 3]) await t.library.create(pathwayFor(target, `Pathway ${n}`), { author: "test" });
    const groups = await linking(target, 2);
    expect(groups.Pathway?.total).toBe(3);
    expect(groups.Pathway?.ids).toHaveLength(2);
  });
});

describeEachDatabase("migration 006-item-links", (database) => {
  it("backfills the links of every live item already stored", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wego-links-"));
    try {
      const first = await createTestLibrary(undefined, dir, { database });
      const made = await first.library.create(pathwayFor("http://seoul.test/items/old-case"), { author: "test" });
      if (!made.ok) throw new Error("create");
      // As a node from before 006 left it: the items without their links table.
      const knex = first.orm.em.getKnex();
      await knex.raw("drop table item_links");
      await knex("mikro_orm_migrations").where("name", "like", "006%").del();
      await first.orm.close(true);
      const orm = await database.open(dir);
      try {
        const groups = await createItemStore(orm).linkingTo("http://seoul.test/items/old-case", 10);
        expect(groups.map((g) => [g.type, g.items.map((i) => i.id)])).toEqual([["Pathway", [made.item.id]]]);
      } finally {
        await orm.close(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
