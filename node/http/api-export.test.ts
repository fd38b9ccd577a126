import { compactVerify, importJWK, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { draftFixture, startTestServer, type TestServer } from "../test-support.ts";
import { describeEachDatabase } from "../db/test-databases.ts";
import { apiFetch } from "./test-support.ts";

let s: TestServer;
const peerOrigin = "http://busan.test";
let kept: string;
let removed: string;

async function exported(query = ""): Promise<{ document: Record<string, unknown>; jws: string; text: string }[]> {
  const res = await apiFetch(`${s.url}/api/export${query}`);
  expect(res.status).toBe(200);
  const body = await res.text();
  expect(body.endsWith("\n")).toBe(true);
  return body
    .trimEnd()
    .split("\n")
    .map((text) => ({ ...(JSON.parse(text) as { document: Record<string, unknown>; jws: string }), text }));
}

describeEachDatabase("the library export", (database) => {
  beforeAll(async () => {
    s = await startTestServer({ database });
    const results = await s.library.createMany(
      [draftFixture("case-study.rich"), draftFixture("pathway.minimal"), draftFixture("dataset.minimal")],
      { author: "test" },
    );
    const ids = results.map((r) => (r.ok ? r.item.id : ""));
    kept = ids[0]!;
    removed = ids[2]!;
    expect((await s.library.remove(removed, { author: "test" })).ok).toBe(true);
    const document = {
      ...draftFixture("case-study.minimal"),
      id: `${peerOrigin}/items/peer-case`,
      attributedTo: `${peerOrigin}/cities/busan`,
      published: "2026-01-01T00:00:00Z",
      updated: "2026-01-01T00:00:00Z",
      version: 1,
    };
    const provenance = { via: `${peerOrigin}/cities/busan`, receivedAt: "2026-02-01T00:00:00Z", kid: "k1" };
    expect((await s.library.ingest({ document, jws: "h..peer", origin: peerOrigin, provenance })).ok).toBe(true);
  });
  afterAll(async () => {
    await s.close();
  });
  describe("GET /api/export", () => {
    it("streams the node's own live items as NDJSON, an attachment, without deleted items or peers' items", async () => {
      const res = await apiFetch(`${s.url}/api/export`);
      expect(res.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
      expect(res.headers.get("content-disposition")).toMatch(
        /^attachment; filename="wego-seoul-library-\d{4}-\d\d-\d\d\.ndjson"$/,
      );
      const ids = (await exported()).map((l) => l.document.id);
      expect(ids).toHaveLength(2);
      expect(ids).toContain(kept);
      expect(ids).not.toContain(removed);
      expect(ids).not.toContain(`${peerOrigin}/items/peer-case`);
    });

    it("with scope=network adds the verified items of peers", async () => {
      const ids = (await exported("?scope=network")).map((l) => l.document.id);
      expect(ids).toHaveLength(3);
      expect(ids).toContain(`${peerOrigin}/items/peer-case`);
    });

    it("writes each document as the exact bytes that were signed: jose verifies every line with the node's JWKS", async () => {
      const { keys } = (await (await fetch(`${s.url}/.well-known/jwks.json`)).json()) as {
        keys: (JWK & { kid: string })[];
      };
      for (const line of await exported()) {
        const payload = /^\{"document":(.*),"jws":"[^"]*"\}$/.exec(line.text)![1]!;
        const [header, , signature] = line.jws.split(".");
        const kid = (JSON.parse(Buffer.from(header!, "base64url").toString()) as { kid: string }).kid;
        const key = await importJWK(keys.find((k) => k.kid === kid)!, "EdDSA");
        const encoded = Buffer.from(payload).toString("base64url");
        await expect(compactVerify(`${header}.${encoded}.${signature}`, key)).resolves.toBeTruthy();
      }
    });

    it("answers 400 for another scope", async () => {
      const res = await apiFetch(`${s.url}/api/export?scope=everything`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('scope must be "local" or "network"');
    });
  });
});
