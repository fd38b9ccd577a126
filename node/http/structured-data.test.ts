import jsonld from "jsonld";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { draftFixture, startTestServer, type TestServer } from "../test-support.ts";
import { describeEachDatabase } from "../db/test-databases.ts";

// Item pages as a search engine reads them: the schema.org JSON-LD is taken out of the served
// HTML and expanded by the jsonld library; the Open Graph tags are read from the same page.

const SCHEMA = "http://schema.org/";
let s: TestServer;
let datasetPath: string;
let casePath: string;
const hostileTitle = "Open data </script><script>alert(1)</script> & <!-- more";

async function page(path: string): Promise<string> {
  const res = await fetch(`${s.url}${path}`, { headers: { accept: "text/html" } });
  expect(res.status).toBe(200);
  return res.text();
}

/** The page's JSON-LD blocks, parsed and expanded. */
async function structuredData(pageHtml: string): Promise<jsonld.NodeObject[]> {
  const blocks = [...pageHtml.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)];
  expect(blocks).toHaveLength(1);
  // schema.org's published context makes every term a schema.org IRI (`"@vocab": "http://schema.org/"`);
  // it is given here as that line, so the test reaches no network.
  const documentLoader = async (url: string) => {
    if (!/^https?:\/\/schema\.org\/?$/.test(url)) throw new Error(`unexpected context ${url}`);
    return { contextUrl: undefined, documentUrl: url, document: { "@context": { "@vocab": SCHEMA } } };
  };
  return jsonld.expand(
    JSON.parse(blocks[0]![1]!) as jsonld.JsonLdDocument,
    { documentLoader } as jsonld.Options.Expand,
  );
}

const values = (node: jsonld.NodeObject, term: string) =>
  ((node[`${SCHEMA}${term}`] ?? []) as { "@value"?: unknown; "@id"?: string }[]).map((v) => v["@value"] ?? v["@id"]);

function meta(pageHtml: string, key: string): string | undefined {
  const m = new RegExp(`<meta (?:property|name)="${key}" content="([^"]*)">`).exec(pageHtml);
  return m?.[1];
}

describeEachDatabase("structured data", (database) => {
  beforeAll(async () => {
    s = await startTestServer({ database });
    const [dataset, kase] = await s.library.createMany(
      [draftFixture("dataset.rich"), { ...draftFixture("case-study.minimal"), title: hostileTitle }],
      { author: "test" },
    );
    if (!dataset?.ok || !kase?.ok) throw new Error("fixtures did not publish");
    datasetPath = new URL(dataset.item.id).pathname;
    casePath = new URL(kase.item.id).pathname;
  });
  afterAll(async () => {
    await s.close();
  });
  describe("item pages for search engines and link previews", () => {
    it("a dataset page carries a schema.org Dataset with a DataDownload per distribution", async () => {
      const [node] = await structuredData(await page(datasetPath));
      expect(node!["@type"]).toEqual([`${SCHEMA}Dataset`]);
      expect(values(node!, "name")).toEqual(["120 Dasan Call Center inquiries by category, monthly"]);
      const downloads = node![`${SCHEMA}distribution`] as jsonld.NodeObject[];
      expect(downloads.every((d) => (d["@type"] as string[])[0] === `${SCHEMA}DataDownload`)).toBe(true);
      expect(downloads.flatMap((d) => values(d, "contentUrl"))).toContain(
        "https://seoul.exchange.example/files/120-dasan-inquiries-monthly.csv",
      );
      const [publisher] = node![`${SCHEMA}publisher`] as jsonld.NodeObject[];
      expect(values(publisher!, "name")).toEqual(["Seoul Metropolitan Government"]);
      expect(values(publisher!, "url")).toEqual(["http://seoul.test/cities/seoul"]);
    });

    it("a case study page carries a schema.org Article whose title survives a </script> in it, escaped as \\u003c", async () => {
      const pageHtml = await page(casePath);
      const block = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(pageHtml)![1]!;
      expect(block).not.toMatch(/[<>]/);
      expect(block).toContain("\\u003c/script\\u003e");
      const [node] = await structuredData(pageHtml);
      expect(node!["@type"]).toEqual([`${SCHEMA}Article`]);
      expect(values(node!, "headline")).toEqual([hostileTitle]);
      expect(pageHtml).not.toContain("<script>alert(1)");
    });

    it("has Open Graph and Twitter-card tags and a canonical link to the item's id", async () => {
      const pageHtml = await page(datasetPath);
      expect(meta(pageHtml, "og:title")).toBe("120 Dasan Call Center inquiries by category, monthly");
      expect(meta(pageHtml, "og:url")).toBe(`http://seoul.test${datasetPath}`);
      expect(meta(pageHtml, "og:site_name")).toBe("WeGO Exchange");
      expect(meta(pageHtml, "twitter:card")).toBe("summary");
      expect(pageHtml).toContain(`<link rel="canonical" href="http://seoul.test${datasetPath}">`);
      const kase = await page(casePath);
      expect(meta(kase, "og:type")).toBe("article");
      expect(meta(kase, "og:title")).toBe(
        "Open data &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!-- more",
      );
    });
  });
});
