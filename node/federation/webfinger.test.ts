import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOutbound } from "../net/outbound.ts";
import { PUBLIC_ONLY } from "../net/address-policy.ts";
import { resolveHandle } from "./webfinger.ts";

let server: Server;
let host: string;
const loopback = createOutbound({ policy: { allowPrivate: true, allowedRanges: ["127.0.0.1"] } });

beforeAll(async () => {
  // A WebFinger server over plain http that knows one account.
  server = createServer((req, res) => {
    const resource = new URL(req.url ?? "/", "http://x").searchParams.get("resource");
    if (resource !== `acct:carol@${host}`) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/jrd+json" });
    res.end(
      JSON.stringify({ links: [{ rel: "self", type: "application/activity+json", href: `http://${host}/carol` }] }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("resolveHandle()", () => {
  it("resolves a handle over the node's own scheme (http) when private addresses are allowed", async () => {
    expect(await resolveHandle(loopback, `@carol@${host}`, "http")).toEqual({
      ok: true,
      actor: `http://${host}/carol`,
    });
  });

  it("says, for each scheme tried, why a handle does not resolve", async () => {
    const result = await resolveHandle(loopback, `@nobody@${host}`, "http");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain(`http://${host}: WebFinger answered HTTP 404 for acct:nobody@${host}`);
    // https to a plain-http server fails too, and says so.
    expect(result.reason).toContain(`https://${host}: `);
  });

  it("tries https only when private addresses are not allowed, and names what is not a handle", async () => {
    const strict = await resolveHandle(createOutbound({ policy: PUBLIC_ONLY }), `@carol@${host}`, "http");
    expect(strict.ok).toBe(false);
    expect(!strict.ok && strict.reason).not.toContain("http://");
    expect(await resolveHandle(loopback, "carol", "http")).toEqual({
      ok: false,
      reason: "carol is neither a handle (@name@host) nor an http(s) URL",
    });
  });
});
