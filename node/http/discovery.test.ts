import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { draftFixture, startTestServer, type TestServer } from "../test-support.ts";
import { busanCaseStudy } from "./test-support.ts";

// sitemap.xml and robots.txt read back by Python's standard library (xml.etree,
// urllib.robotparser under Debian's /usr/bin/python3): readers that did not write them.

const PYTHON = "/usr/bin/python3";
// Debian's Python is there wherever python3-jwcrypto is (CI installs it): there these run, never skip.
const HAS_PYTHON = existsSync(PYTHON) || process.env.CI === "true";
let s: TestServer;
const peerOrigin = "http://busan.test";
let ids: string[];
let removed: string;

beforeAll(async () => {
  s = await startTestServer();
  const results = await s.library.createMany(
    [draftFixture("case-study.rich"), draftFixture("dataset.minimal"), draftFixture("pathway.minimal")],
    { author: "test" },
  );
  ids = results.map((r) => (r.ok ? r.item.id : ""));
  removed = ids.pop()!;
  expect((await s.library.remove(removed, { author: "test" })).ok).toBe(true);
  const document = busanCaseStudy(`${peerOrigin}/items/peer-case`, {});
  const provenance = { via: `${peerOrigin}/cities/busan`, receivedAt: "2026-02-01T00:00:00Z", kid: "k1" };
  expect((await s.library.ingest({ document, jws: "h..peer", origin: peerOrigin, provenance })).ok).toBe(true);
});
afterAll(async () => {
  await s.close();
});

function python(script: string, input: string): string {
  const run = spawnSync(PYTHON, ["-c", script], { input, encoding: "utf8" });
  expect(run.stderr).toBe("");
  return run.stdout;
}

describe.skipIf(!HAS_PYTHON)("GET /sitemap.xml", () => {
  it("lists the home, search and city pages and every live item of this node with its lastmod, as XML Python reads", async () => {
    const res = await fetch(`${s.url}/sitemap.xml`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    const read = python(
      [
        "import sys, json, xml.etree.ElementTree as ET",
        "ns = {'s': 'http://www.sitemaps.org/schemas/sitemap/0.9'}",
        "root = ET.fromstring(sys.stdin.read().encode())",
        "assert root.tag == '{http://www.sitemaps.org/schemas/sitemap/0.9}urlset', root.tag",
        "print(json.dumps({u.find('s:loc', ns).text: getattr(u.find('s:lastmod', ns), 'text', None) for u in root.findall('s:url', ns)}))",
      ].join("\n"),
      await res.text(),
    );
    const urls = JSON.parse(read) as Record<string, string | null>;
    const o = "http://seoul.test";
    expect(Object.keys(urls)).toEqual(
      expect.arrayContaining([
        `${o}/`,
        `${o}/search`,
        `${o}/library/cities`,
        `${o}/library/cities/Seoul`,
        `${o}/library/cities/busan.test`,
      ]),
    );
    for (const id of ids) {
      const item = await s.library.get(id);
      expect(urls[id], id).toBe(new Date(item!.updated).toISOString());
    }
    expect(Object.keys(urls)).not.toContain(removed);
    expect(Object.keys(urls)).not.toContain(`${peerOrigin}/items/peer-case`);
    expect(Object.keys(urls)).toHaveLength(5 + ids.length);
  });
});

describe.skipIf(!HAS_PYTHON)("GET /robots.txt", () => {
  it("points to the sitemap and keeps sign-in, administration and officials' drafts out, as urllib.robotparser reads it", async () => {
    const res = await fetch(`${s.url}/robots.txt`);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    const read = python(
      [
        "import sys, json, urllib.robotparser",
        "rp = urllib.robotparser.RobotFileParser()",
        "rp.parse(sys.stdin.read().splitlines())",
        "paths = ['/', '/items/x', '/search?q=a', '/library/cities/Seoul', '/admin/peers', '/login', '/official/drafts', '/official/new']",
        "print(json.dumps({'sitemaps': rp.site_maps(), 'allowed': {p: rp.can_fetch('AnyBot', 'http://seoul.test' + p) for p in paths}}))",
      ].join("\n"),
      await res.text(),
    );
    const { sitemaps, allowed } = JSON.parse(read) as { sitemaps: string[]; allowed: Record<string, boolean> };
    expect(sitemaps).toEqual(["http://seoul.test/sitemap.xml"]);
    expect(allowed).toEqual({
      "/": true,
      "/items/x": true,
      "/search?q=a": true,
      "/library/cities/Seoul": true,
      "/admin/peers": false,
      "/login": false,
      "/official/drafts": false,
      "/official/new": false,
    });
  });
});
