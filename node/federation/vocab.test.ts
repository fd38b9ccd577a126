import { Create, PUBLIC_COLLECTION } from "@fedify/fedify/vocab";
import { getDocumentLoader } from "@fedify/fedify/runtime";
import { stringsFor } from "../../web/i18n.ts";
import { beforeAll, describe, expect, it } from "vitest";
import type { StoredItem } from "../library/library.ts";
import { createTestLibrary, draftFixture, type TestLibrary } from "../test-support.ts";
import { readSignedItemOfJson } from "../signing/signed-item.ts";
import { PUBLIC_URI, withFullPublicAddress } from "./public-address.ts";
import { toArticle } from "./vocab.ts";

let t: TestLibrary;
const addresses = {
  actorId: new URL("http://seoul.test/cities/seoul"),
  followersId: new URL("http://seoul.test/cities/seoul/followers"),
};

async function published(fixture: string): Promise<StoredItem> {
  const result = await t.library.create(draftFixture(fixture), { author: "test" });
  if (!result.ok) throw new Error(JSON.stringify(result));
  return result.item;
}

/** The Article as Fedify writes it on the wire (compact JSON-LD). */
async function wire(item: StoredItem): Promise<Record<string, unknown>> {
  return (await toArticle(item, addresses).toJsonLd({ format: "compact" })) as Record<string, unknown>;
}

beforeAll(async () => {
  t = await createTestLibrary();
});

describe("toArticle()", () => {
  it("writes a pathway's prerequisites, phases, costs and readiness as headings and lists, no table", async () => {
    const item = await published("pathway.rich");
    const json = await wire(item);
    const content = String(json.content);
    for (const heading of ["Prerequisites", "Phases", "Cost range", "Readiness checklist"])
      expect(content).toContain(`<h2>${heading}</h2>`);
    const d = item.document as { phases: { name: string }[]; readiness: { question: string }[] };
    expect(content).toContain(d.phases[0]!.name);
    expect(content).toContain(d.readiness[0]!.question);
    expect(content).not.toMatch(/<table|<td|<script/);
    expect(content.startsWith(`<p><strong>${String(item.document.summary)}`)).toBe(true);
    expect(content).toContain(`<a href="${item.id}" rel="nofollow noopener">Read it in full on WeGO Exchange</a>`);
  });

  it("keeps the summary out of `summary` (a content warning to snac) and in `summaryMap`, by language", async () => {
    const item = await published("pathway.rich");
    const json = await wire(item);
    expect(json).not.toHaveProperty("summary");
    const translations = item.document.translations as Record<string, { summary: string; title: string }>;
    expect(json.summaryMap).toEqual({
      en: item.document.summary,
      ko: translations.ko!.summary,
      // Fedify writes language tags in lower case; BCP 47 tags compare case-insensitively.
      "pt-br": translations["pt-BR"]!.summary,
    });
    expect((json.nameMap as Record<string, string>).ko).toBe(translations.ko!.title);
    const contentMap = json.contentMap as Record<string, string>;
    expect(Object.keys(contentMap).sort()).toEqual(["en", "ko", "pt-br"]);
    expect(contentMap.ko).toContain("<h2>시작하기 전에</h2>");
    expect(contentMap.ko).toContain(`<h2>${stringsFor("ko").prerequisites}</h2>`);
    expect(json.sensitive).toBe(false);
  });

  it("gives every hashtag a link to the node's tag search, and the item page as url", async () => {
    const item = await published("case-study.rich");
    const json = await wire(item);
    const tags = ([] as { type: string; name: string; href: string }[]).concat(json.tag as never);
    const first = String((item.document.tags as string[])[0]);
    const tag = tags.find((x) => x.href === `http://seoul.test/search?tag=${encodeURIComponent(first)}`);
    expect(tag?.type).toBe("Hashtag");
    expect(tag?.name).toMatch(/^#\S+$/);
    expect(json.url).toBe(item.id);
  });

  it("lists a case's outcomes and a dataset's files as links, and still carries the signed document", async () => {
    const kase = await published("case-study.rich");
    const outcome = (kase.document.outcomes as { metric: string }[])[0]!;
    expect(String((await wire(kase)).content)).toMatch(
      new RegExp(`<h2>Outcomes</h2><ul><li><strong>${outcome.metric}`),
    );
    const dataset = await published("dataset.rich");
    const json = await wire(dataset);
    const attachments = json.attachment as Record<string, unknown>[];
    const distributions = dataset.document.distributions as { downloadURL?: string; accessURL?: string }[];
    const links = attachments.filter((a) => a.type === "Link").map((a) => a.href);
    expect(links).toEqual(distributions.map((x) => x.downloadURL ?? x.accessURL));
    const signed = readSignedItemOfJson(json);
    expect(signed.ok && signed.signed.jws).toBe(dataset.jws);
  });
});

describe("toArticle() of an adoption", () => {
  it("names the adopted case, where the city stands, what it changed and its outcomes", async () => {
    const result = await t.library.create(draftFixture("adoption.rich"), { author: "test" });
    if (!result.ok) throw new Error(JSON.stringify(result));
    const d = result.item.document as { case: string; adaptations: string[]; outcomes: { metric: string }[] };
    const content = String((await wire(result.item)).content);
    expect(content).toContain(`<strong>The case the city adopts</strong>: <a href="${d.case}"`);
    expect(content).toContain("<strong>Where the city stands with it</strong>: Trying it out");
    expect(content).toContain(`<h2>What the city changed to fit its context</h2><ul><li>${d.adaptations[0]}`);
    expect(content).toContain(`<strong>${d.outcomes[0]!.metric}</strong>`);
  });
});

describe("withFullPublicAddress()", () => {
  it("writes the full Public URI where Fedify wrote as:Public, and the document means the same", async () => {
    const item = await published("case-study.minimal");
    const create = new Create({
      id: new URL(`${item.id}#v1-create`),
      actor: addresses.actorId,
      object: toArticle(item, addresses),
      tos: [PUBLIC_COLLECTION],
      ccs: [addresses.followersId],
    });
    const compact = (await create.toJsonLd({ format: "compact" })) as Record<string, unknown>;
    expect(compact.to).toBe("as:Public");
    const { document, changed } = withFullPublicAddress(compact);
    expect(changed).toBe(true);
    expect(document.to).toBe(PUBLIC_URI);
    expect((document.object as Record<string, unknown>).to).toBe(PUBLIC_URI);
    expect(document.cc).toBe(addresses.followersId.href);
    // A JSON-LD processor reads the same audience (Fedify's parser expands with the context).
    const parsed = await Create.fromJsonLd(document, {
      documentLoader: getDocumentLoader(),
      contextLoader: getDocumentLoader(),
    });
    expect(parsed.toIds.map((u) => u.href)).toEqual([PUBLIC_COLLECTION.href]);
    const object = await parsed.getObject({ documentLoader: getDocumentLoader(), contextLoader: getDocumentLoader() });
    expect(object?.toIds.map((u) => u.href)).toEqual([PUBLIC_COLLECTION.href]);
  });
});
