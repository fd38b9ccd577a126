import { afterEach, describe, expect, it } from "vitest";
import { fetchDocumentLoader } from "@fedify/fedify/runtime";
import jsonld from "jsonld";
import { createLocalFeed } from "../library/feed.ts";
import { draftFixture } from "../test-support.ts";
import { createOutboxEntries, type OutboxEntries } from "./outbox-entries.ts";
import { acceptsJsonLd, createOutboxPages } from "./outbox-pages.ts";
import { createTestFederation, createTestReceiver, type TestReceiver } from "./test-support.ts";

// The outbox pages a backfill walks are written without Fedify (outbox-pages.ts): checked
// here against what Fedify's own dispatcher serves for the same library, read by an
// independent JSON-LD processor (the `jsonld` package), with the contexts Fedify preloads.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Expanded JSON-LD with the order of unordered sets made canonical (lists keep theirs). */
async function expanded(document: unknown): Promise<unknown> {
  const sorted = (value: unknown, inList = false): unknown => {
    if (Array.isArray(value)) {
      const items = value.map((v) => sorted(v));
      return inList ? items : items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    }
    if (value && typeof value === "object")
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sorted(v, k === "@list")]));
    return value;
  };
  const documentLoader = (url: string) => fetchDocumentLoader(url);
  return sorted(
    await jsonld.expand(document as jsonld.JsonLdDocument, { documentLoader } as unknown as jsonld.Options.Expand),
  );
}

async function nodeWithItems(): Promise<{ node: TestReceiver; ids: string[] }> {
  const node = await createTestReceiver();
  cleanups.push(() => node.orm.close());
  const ids: string[] = [];
  for (const name of ["case-study.rich", "dataset.rich", "pathway.minimal", "adoption.rich", "case-study.minimal"]) {
    const created = await node.library.create(draftFixture(name), { author: "test" });
    if (!created.ok) throw new Error(`${name}: ${created.reason}`);
    ids.push(created.item.id);
  }
  return { node, ids };
}

function pagesOf(node: TestReceiver, entries: OutboxEntries, pageSize = 100) {
  return createOutboxPages({ feed: createLocalFeed(node.orm), identity: node.identity, entries, pageSize });
}

/** The page as Fedify's outbox dispatcher serves it (the path without kept entries). */
async function fedifyPage(node: TestReceiver, url: string, pageSize = 100): Promise<Record<string, unknown>> {
  const federation = createTestFederation(node, { pageSize });
  const response = await federation.fetch(new Request(url, { headers: { accept: "application/activity+json" } }), {
    contextData: undefined,
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe("createOutboxPages()", () => {
  it("serves each page with the JSON-LD Fedify's dispatcher serves: Create, Update and Delete entries, translations, files, next links", async () => {
    const { node, ids } = await nodeWithItems();
    const updated = await node.library.update(ids[0]!, draftFixture("case-study.minimal"), { author: "test" });
    expect(updated.ok).toBe(true);
    expect((await node.library.remove(ids[4]!, { author: "test" })).ok).toBe(true);
    const entries = createOutboxEntries();
    const pages = pagesOf(node, entries, 2);
    const outbox = `${node.identity.actorId}/outbox`;
    let url: string | undefined = `${outbox}?cursor=start`;
    const kinds: string[] = [];
    while (url) {
      const ours = JSON.parse(String(await pages.page(new URL(url)))) as Record<string, unknown>;
      expect(await expanded(ours)).toEqual(await expanded(await fedifyPage(node, url, 2)));
      for (const entry of ours.orderedItems as { id: string }[]) kinds.push(entry.id.split("-").at(-1)!);
      url = ours.next as string | undefined;
    }
    expect(kinds.sort()).toEqual(["create", "create", "create", "delete", "update"]);
  });

  it("serves a kept entry until the item changes, then its new version", async () => {
    const { node, ids } = await nodeWithItems();
    const entries = createOutboxEntries({ library: node.library });
    cleanups.push(() => entries.close());
    const url = new URL(`${node.identity.actorId}/outbox?cursor=start`);
    await createOutboxPages({ feed: createLocalFeed(node.orm), identity: node.identity, entries }).page(url);
    expect(entries.holds(ids[1]!, 1)).toBe(true);
    const updated = await node.library.update(ids[1]!, draftFixture("dataset.minimal"), { author: "test" });
    expect(updated.ok).toBe(true);
    expect(entries.holds(ids[1]!, 1)).toBe(false);
    const page = JSON.parse(String(await pagesOf(node, entries).page(url))) as { orderedItems: { id: string }[] };
    expect(page.orderedItems.map((e) => e.id)).toContain(`${ids[1]}#v2-update`);
    expect(await expanded(page)).toEqual(await expanded(await fedifyPage(node, url.href)));
  });

  it("keeps no more entry bytes than its budget, and declines what is not a page of ours", async () => {
    const { node } = await nodeWithItems();
    const entries = createOutboxEntries({ maxBytes: 40_000 });
    const pages = pagesOf(node, entries);
    const page = await pages.page(new URL(`${node.identity.actorId}/outbox?cursor=start`));
    expect((JSON.parse(String(page)) as { orderedItems: unknown[] }).orderedItems).toHaveLength(5);
    expect(entries.size).toBeGreaterThan(0);
    expect(entries.size).toBeLessThanOrEqual(40_000);
    expect(await pages.page(new URL(`${node.identity.actorId}/outbox`))).toBeNull();
    expect(await pages.page(new URL(`${node.identity.actorId}/outbox?cursor=not-a-cursor`))).toBeNull();
    expect(await pages.page(new URL(`${node.identity.origin}/cities/other/outbox?cursor=start`))).toBeNull();
  });
});

describe("acceptsJsonLd()", () => {
  it("takes ActivityPub's JSON types unless HTML is preferred, as Fedify decides", () => {
    expect(acceptsJsonLd("application/activity+json")).toBe(true);
    expect(acceptsJsonLd('application/ld+json; profile="https://www.w3.org/ns/activitystreams"')).toBe(true);
    expect(acceptsJsonLd("text/html;q=0.5, application/json")).toBe(true);
    expect(acceptsJsonLd("text/html, application/activity+json")).toBe(false);
    expect(acceptsJsonLd("application/activity+json;q=0, text/plain")).toBe(false);
    expect(acceptsJsonLd(null)).toBe(false);
  });
});
