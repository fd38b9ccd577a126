import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { InvalidArgumentError } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError, createApiClient } from "./api-client.ts";

let server: Server;
let url: string;
const seen: { method?: string; path?: string; authorization?: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      seen.push({ method: req.method, path: req.url, authorization: req.headers.authorization, body });
      if (req.url?.startsWith("/ok")) res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      else if (req.url === "/invalid")
        res
          .writeHead(400, { "content-type": "application/json" })
          .end('{"error":"invalid document","details":[{"path":"/title","message":"is required"}]}');
      else if (req.url === "/html") res.writeHead(502, { "content-type": "text/html" }).end("<h1>Bad gateway</h1>");
      else res.writeHead(200, { "content-type": "text/plain" }).end("hello");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("createApiClient()", () => {
  it("sends the bearer token and the query, and resolves to the parsed answer", async () => {
    const api = createApiClient({ url, token: "secret" });
    expect(await api.get("/ok", { q: "typhoon", type: undefined })).toEqual({ ok: true });
    expect(await api.post("/ok/post", { actor: "http://a/cities/a" })).toEqual({ ok: true });
    expect(seen.at(-2)).toMatchObject({ method: "GET", path: "/ok?q=typhoon", authorization: "Bearer secret" });
    expect(seen.at(-1)).toMatchObject({ method: "POST", body: '{"actor":"http://a/cities/a"}' });
  });

  it("turns the node's { error, details } answer into one message with the status", async () => {
    const error = await createApiClient({ url })
      .get("/invalid")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, message: "invalid document: /title is required (HTTP 400)" });
  });

  it("names the status when the answer is not JSON", async () => {
    expect(
      await createApiClient({ url })
        .get("/html")
        .catch((e: unknown) => e),
    ).toMatchObject({ status: 502, message: "HTTP 502 Bad Gateway (HTTP 502)" });
    expect(
      await createApiClient({ url })
        .get("/text")
        .catch((e: unknown) => e),
    ).toMatchObject({ status: 200, message: `${url}/text did not answer JSON (HTTP 200)` });
  });

  it("says the node cannot be reached, with status null", async () => {
    const error = await createApiClient({ url: "http://127.0.0.1:9" })
      .get("/ok")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: null });
    expect((error as Error).message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:9 \(.+\); is the node running\?$/);
  });

  it("refuses a URL that is not http(s) as a usage error", () => {
    expect(() => createApiClient({ url: "nope" })).toThrow(InvalidArgumentError);
    expect(() => createApiClient({ url: "ftp://example.org" })).toThrow(
      "--url must use http or https, got ftp://example.org",
    );
  });
});
