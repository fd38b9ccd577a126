import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../test-support.ts";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

/** What a browser sends when it follows a link. */
const BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(server.url + path, { headers });
  return {
    status: res.status,
    type: res.headers.get("content-type") ?? "",
    headers: res.headers,
    text: await res.text(),
  };
}

describe("an unknown path", () => {
  it("answers a browser with the HTML not-found page in English by default", async () => {
    const res = await get("/no/such/page", { accept: BROWSER });
    expect(res.status).toBe(404);
    expect(res.type).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-language")).toBe("en");
    expect(res.headers.get("vary")).toContain("Accept");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(res.text).toContain("<h1>Page not found</h1>");
    expect(res.text).toContain('action="/search"');
  });

  it("answers a browser in Korean when the reader prefers it, by header or by ?lang=", async () => {
    const asked: [string, Record<string, string>][] = [
      ["/nope", { accept: BROWSER, "accept-language": "ko-KR,ko;q=0.9,en;q=0.8" }],
      ["/nope?lang=ko", { accept: BROWSER }],
    ];
    for (const [path, headers] of asked) {
      const res = await get(path, headers);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-language"), path).toBe("ko");
      expect(res.text, path).toContain("<h1>페이지를 찾을 수 없습니다</h1>");
    }
  });

  it("answers API clients with today's JSON 404: Accept JSON, no Accept, */*, or any /api/ path", async () => {
    for (const [path, headers] of [
      ["/no/such/page", { accept: "application/json" }],
      ["/no/such/page", {}],
      ["/no/such/page", { accept: "*/*" }],
      ["/no/such/page", { accept: "application/activity+json" }],
      ["/api/no-such-endpoint", { accept: BROWSER }],
      ["/api/no-such-endpoint", {}],
    ] as const) {
      const res = await get(path, headers);
      expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(404);
      expect(res.type, `${path} ${JSON.stringify(headers)}`).toBe("application/json; charset=utf-8");
      expect(res.text, `${path} ${JSON.stringify(headers)}`).toBe('{"error":"not found"}');
    }
  });
});
