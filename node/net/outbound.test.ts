import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOutbound, type Outbound } from "./outbound.ts";

/** A real HTTP server on `host` that counts its requests. */
async function serve(
  host: string,
  handler: Parameters<typeof createServer>[1],
): Promise<{ server: Server; port: number; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    handler!(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  return { server, port: (server.address() as AddressInfo).port, hits: () => hits };
}

let allowed: Awaited<ReturnType<typeof serve>>; // 127.0.0.1: the tests' "peer"
let internal: Awaited<ReturnType<typeof serve>>; // 127.0.0.2: an internal service that must never be reached
let guard: Outbound;

beforeAll(async () => {
  allowed = await serve("127.0.0.1", (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/loop") {
      res.writeHead(302, { location: "/loop" }).end();
    } else if (url.pathname === "/to-internal") {
      res.writeHead(302, { location: `http://127.0.0.2:${internal.port}/secret` }).end();
    } else if (url.pathname === "/big") {
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(64 * 1024, 32);
      let sent = 0;
      const write = () => {
        while (sent < 50 && res.write(chunk)) sent++;
        if (sent < 50) res.once("drain", write);
        else res.end();
      };
      write();
    } else if (url.pathname === "/declared-big") {
      res.writeHead(200, { "content-length": String(10 * 1024 * 1024) }).end();
    } else {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ host: req.headers.host }));
    }
  });
  internal = await serve("127.0.0.2", (_req, res) => res.end("secret"));
  guard = createOutbound({
    policy: { allowPrivate: true, allowedRanges: ["127.0.0.1"] },
    resolve: async (hostname) =>
      hostname === "peer.test"
        ? ["127.0.0.1"]
        : hostname === "internal.test"
          ? ["127.0.0.2"]
          : hostname === "mixed.test"
            ? ["127.0.0.1", "127.0.0.2"]
            : [],
  });
});
afterAll(async () => {
  await guard.close();
  allowed.server.close();
  internal.server.close();
});

describe("Outbound.fetch()", () => {
  it("fetches an allowed address and keeps the host name asked for", async () => {
    const result = await guard.fetch(`http://peer.test:${allowed.port}/doc`);
    expect(result.ok && JSON.parse(result.body.toString())).toEqual({ host: `peer.test:${allowed.port}` });
  });

  it("refuses literal addresses outside the policy in every spelling, connecting to none", async () => {
    for (const host of ["127.0.0.2", "[::ffff:127.0.0.2]", "[::ffff:7f00:2]", "169.254.169.254", "[64:ff9b::7f00:2]"]) {
      const result = await guard.fetch(`http://${host}:${internal.port}/secret`);
      expect(result.ok, host).toBe(false);
    }
    expect(internal.hits()).toBe(0);
  });

  it("checks the address it connects to: a name resolving to a refused address is never reached", async () => {
    const viaName = await guard.fetch(`http://internal.test:${internal.port}/secret`);
    expect(viaName).toMatchObject({ ok: false, reason: expect.stringContaining("outside the allowed ranges") });
    // One refused address among the answers refuses the name: no rebinding between answers.
    const mixed = await guard.fetch(`http://mixed.test:${internal.port}/secret`);
    expect(mixed.ok).toBe(false);
    expect(internal.hits()).toBe(0);
  });

  it("checks every redirect hop like the first", async () => {
    const result = await guard.fetch(`http://peer.test:${allowed.port}/to-internal`);
    expect(result.ok).toBe(false);
    expect(internal.hits()).toBe(0);
  });

  it("follows at most 5 redirects", async () => {
    const before = allowed.hits();
    const result = await guard.fetch(`http://peer.test:${allowed.port}/loop`, { maxRedirects: 50 });
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining("more than 5 redirects") });
    expect(allowed.hits() - before).toBe(6);
  });

  it("stops reading a body past its byte budget, declared or not", async () => {
    expect(await guard.fetch(`http://peer.test:${allowed.port}/big`, { maxBytes: 256 * 1024 })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("more than 262144 bytes"),
    });
    expect(await guard.fetch(`http://peer.test:${allowed.port}/declared-big`, { maxBytes: 1024 })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("more than 1024 bytes"),
    });
  });

  it("refuses schemes other than http(s) and URLs with credentials", async () => {
    expect(await guard.fetch("file:///etc/passwd")).toMatchObject({ ok: false, reason: "file: URLs are not fetched" });
    expect(await guard.fetch(`http://user:pw@peer.test:${allowed.port}/`)).toMatchObject({ ok: false });
  });
});

describe("the guard as the global dispatcher", () => {
  it("stops a plain fetch() (as Fedify's deliveries make) from reaching a refused address", async () => {
    const strict = createOutbound({ policy: { allowPrivate: true, allowedRanges: ["127.0.0.1"] } });
    await expect(
      fetch(`http://[::ffff:127.0.0.2]:${internal.port}/secret`, { dispatcher: strict.dispatcher } as RequestInit),
    ).rejects.toThrow();
    expect(internal.hits()).toBe(0);
    await strict.close();
  });
});
