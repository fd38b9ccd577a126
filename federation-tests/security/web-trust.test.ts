import { randomUUID } from "node:crypto";
import { Create, Follow } from "@fedify/fedify/vocab";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { poll, runWegoAsync } from "../support.ts";
import {
  api,
  caseDraft,
  createCluster,
  heldVersion,
  peerState,
  publish,
  type CityNode,
  type Cluster,
} from "../federation/cluster.ts";
import { startRoguePeer, type RoguePeer } from "../federation/rogue-peer.ts";

// Attacks on what a node's web pages and HTTP API say and allow (issue 8, findings 2, 8, 11):
// one real node ("Seoul", behind a trusted proxy) that follows a hand-driven rogue peer.
let cluster: Cluster;
let seoul: CityNode;
let rogue: RoguePeer;
let rogueHost: string;
let localId: string;
let rogueId: string;
const marker = `zq${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  cluster = createCluster();
  [seoul, rogue] = await Promise.all([cluster.start("seoul", { args: ["--trust-proxy"] }), startRoguePeer()]);
  rogueHost = new URL(rogue.origin).host;
  const users = await Promise.all(
    ["editor1", "editor2"].map((u) =>
      runWegoAsync(["user", "add", "--data", seoul.dataDir, "--role", "editor", u], "correct horse battery\n"),
    ),
  );
  for (const u of users) if (u.status !== 0) throw new Error(`user add failed: ${u.stderr}`);
  expect((await api(seoul, "/api/peers", { json: { actor: rogue.actorId.href } })).status).toBe(200);
  await poll(
    "seoul to follow the rogue",
    async () => (await peerState(seoul, { actor: rogue.actorId.href } as CityNode)) === "following",
  );

  localId = await publish(seoul, caseDraft(`Seoul own ${marker} case`));
  // A valid item, signed with the rogue's own published key, whose document says it is Seoul's.
  rogueId = `${rogue.origin}/items/claims-seoul`;
  const doc = {
    id: rogueId,
    type: "CaseStudy",
    attributedTo: rogue.actorId.href,
    published: "2026-01-01T00:00:00Z",
    updated: "2026-01-01T00:00:00Z",
    version: 1,
    title: `Rogue ${marker} case claiming Seoul`,
    summary: "A case whose document names Seoul as its city.",
    language: "en",
    city: "Seoul",
    country: "KR",
    body: "Body text.",
  };
  await rogue.send(
    { actor: seoul.actor, inbox: `${seoul.url}/cities/seoul/inbox` },
    new Create({
      id: new URL(`${rogue.origin}/activities/${randomUUID()}`),
      actor: rogue.actorId,
      object: rogue.article(rogueId, { document: doc, jws: await rogue.sign(doc) }),
    }),
  );
  await poll("seoul to store the rogue's item", async () => (await heldVersion(seoul, rogueId)) === 1);
  await poll(
    "the rogue's item in search",
    async () => ((await (await fetch(`${seoul.url}/api/search?q=${marker}`)).json()) as { total: number }).total === 2,
  );
}, 180_000);
afterAll(async () => {
  await rogue?.close();
  await cluster?.stop();
});

async function page(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; html: string; headers: Headers }> {
  const res = await fetch(`${seoul.url}${path}`, { headers: { accept: "text/html", ...headers }, redirect: "manual" });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

describe("the badge names the verified origin, never the document's city (finding 2)", () => {
  it("the rogue's item page says it is signed by the rogue (name and host), not by Seoul", async () => {
    const { status, html } = await page(`/library/item?${new URLSearchParams({ id: rogueId })}`);
    expect(status).toBe(200);
    expect(html).toContain(`Signed by Rogue City (${rogueHost}); the signature is valid.`);
    expect(html).not.toMatch(/Signed by Seoul/);
    expect(html).not.toContain('href="/library/cities/Seoul"');
  });

  it("Seoul's city page lists Seoul's own item and not the rogue's; the rogue's is on the rogue's page", async () => {
    const seoulPage = await page("/library/cities/Seoul");
    expect(seoulPage.status).toBe(200);
    expect(seoulPage.html).toContain(`Seoul own ${marker} case`);
    expect(seoulPage.html).not.toContain(`Rogue ${marker} case`);
    const roguePage = await page(`/library/cities/${encodeURIComponent(rogueHost)}`);
    expect(roguePage.status).toBe(200);
    expect(roguePage.html).toContain(`<h1>Rogue City (${rogueHost})</h1>`);
    expect(roguePage.html).toContain(`Rogue ${marker} case`);
    const cities = await page("/library/cities");
    expect(cities.html).toContain(`>Rogue City (${rogueHost})</a>`);
  });

  it("search facets and the city filter file the rogue's item under its origin, not under Seoul", async () => {
    const all = (await (await fetch(`${seoul.url}/api/search?q=${marker}`)).json()) as {
      results: { id: string; city: string }[];
      facets: { city: Record<string, number> };
    };
    expect(all.facets.city).toEqual({ Seoul: 1, [rogueHost]: 1 });
    expect(all.results.find((r) => r.id === rogueId)?.city).toBe(rogueHost);
    const inSeoul = (await (await fetch(`${seoul.url}/api/search?q=${marker}&city=Seoul`)).json()) as {
      results: { id: string }[];
    };
    expect(inSeoul.results.map((r) => r.id)).toEqual([localId]);
    expect((await page(`/search?q=${marker}&city=Seoul`)).html).not.toContain(`Rogue ${marker} case`);
    // The search page names the rogue's facet and result by its origin's actor name and host.
    const searchPage = (await page(`/search?q=${marker}`)).html;
    expect(searchPage).toContain(`<span>Rogue City (${rogueHost})`);
    expect(searchPage).toContain(`>Rogue City (${rogueHost})</a>`);
    const listed = (await (await fetch(`${seoul.url}/api/items?city=Seoul`)).json()) as { items: { id: string }[] };
    expect(listed.items.map((i) => i.id)).not.toContain(rogueId);
  });
});

describe("no open redirect (finding 8)", () => {
  it("/library/item with a dot-segment id under this origin answers 404, never a redirect elsewhere", async () => {
    const res = await page(`/library/item?${new URLSearchParams({ id: `${seoul.url}/items/../..//evil.example/x` })}`);
    expect(res.status).toBe(404);
    expect(res.headers.get("location")).toBeNull();
    const ours = await page(`/library/item?${new URLSearchParams({ id: localId })}`);
    expect(ours.status).toBe(302);
    expect(ours.headers.get("location")).toBe(new URL(localId).pathname);
  });
});

/** A browser-like client: keeps its cookies, follows no redirects. */
function client(forwardedFor?: string) {
  const jar = new Map<string, string>();
  return {
    async fetch(path: string, form?: Record<string, string>): Promise<Response> {
      const headers: Record<string, string> = { accept: "text/html" };
      if (forwardedFor) headers["x-forwarded-for"] = forwardedFor;
      if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
      if (form) headers["content-type"] = "application/x-www-form-urlencoded";
      const res = await fetch(`${seoul.url}${path}`, {
        method: form ? "POST" : "GET",
        headers,
        body: form ? new URLSearchParams(form).toString() : undefined,
        redirect: "manual",
      });
      for (const c of res.headers.getSetCookie()) {
        const [k, v] = c.split(";")[0]!.split("=");
        if (v) jar.set(k!, v);
        else jar.delete(k!);
      }
      return res;
    },
    async token(path: string): Promise<string> {
      return /name="_csrf" value="([^"]+)"/.exec(await (await this.fetch(path)).text())![1]!;
    },
  };
}

describe("sessions and login limits (finding 11a, 11b)", () => {
  it("login starts a new session: the CSRF token from before login is refused after it", async () => {
    const c = client("198.51.100.1");
    const before = await c.token("/login");
    expect(
      (await c.fetch("/login", { _csrf: before, username: "editor1", password: "correct horse battery", next: "/" }))
        .status,
    ).toBe(303);
    expect((await c.fetch("/official/new/CaseStudy", { _csrf: before, "/title": "x" })).status).toBe(403);
    const after = await c.token("/official/new/CaseStudy");
    expect((await c.fetch("/official/new/CaseStudy", { _csrf: after, "/title": "x" })).status).toBe(400);
  });

  it("failed logins are limited per account across addresses: the 11th try is refused even with the right password", async () => {
    for (let i = 0; i < 10; i++) {
      const c = client(`203.0.113.${i + 1}`);
      const token = await c.token("/login");
      expect((await c.fetch("/login", { _csrf: token, username: "editor2", password: `wrong ${i}` })).status).toBe(401);
    }
    const last = client("203.0.113.99");
    const token = await last.token("/login");
    const refused = await last.fetch("/login", {
      _csrf: token,
      username: "editor2",
      password: "correct horse battery",
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  }, 120_000);

  it("behind the trusted proxy each client address has its own limit, and a forged first X-Forwarded-For entry does not escape it", async () => {
    for (let i = 0; i < 10; i++) {
      const c = client("192.0.2.50");
      const token = await c.token("/login");
      expect((await c.fetch("/login", { _csrf: token, username: `nobody${i}`, password: "x" })).status).toBe(401);
    }
    const spoof = client("10.1.2.3, 192.0.2.50");
    expect(
      (await spoof.fetch("/login", { _csrf: await spoof.token("/login"), username: "nobody-else", password: "x" }))
        .status,
    ).toBe(429);
    const other = client("192.0.2.51");
    expect(
      (
        await other.fetch("/login", {
          _csrf: await other.token("/login"),
          username: "editor1",
          password: "correct horse battery",
        })
      ).status,
    ).toBe(303);
  }, 120_000);
});

describe("what anonymous readers see (finding 11c, 11d, 11e)", () => {
  it("GET /api/peers without a token lists only established peerings, without pending requests, blocks or errors", async () => {
    await rogue.send(
      { actor: seoul.actor, inbox: `${seoul.url}/cities/seoul/inbox` },
      new Follow({
        id: new URL(`${rogue.origin}/follows/${randomUUID()}`),
        actor: rogue.actorId,
        object: new URL(seoul.actor),
      }),
    );
    expect((await api(seoul, "/api/peers/block", { json: { host: "blocked.example" } })).status).toBe(200);
    await poll(
      "the rogue's follow request to wait for approval",
      async () => (await peerState(seoul, { actor: rogue.actorId.href } as CityNode)) === "pending",
    );
    const asAdmin = (await api(seoul, "/api/peers")).body.peers as {
      host: string;
      state: string;
      lastError?: unknown;
    }[];
    expect(asAdmin.map((p) => p.state).sort()).toEqual(["blocked", "pending"]);
    expect(asAdmin[0]).toHaveProperty("lastError");
    const anonymous = (await (await fetch(`${seoul.url}/api/peers`)).json()) as { peers: Record<string, unknown>[] };
    expect(anonymous.peers.map((p) => [p.host, p.state])).toEqual([[rogueHost, "following"]]);
    expect(anonymous.peers[0]).not.toHaveProperty("lastError");
    expect(JSON.stringify(anonymous)).not.toMatch(/pending|blocked/);
  });

  it("version history names no token or user to anonymous readers, in the API or on the page", async () => {
    const anonymous = await (await fetch(`${seoul.url}/api/items/versions?id=${encodeURIComponent(localId)}`)).json();
    expect(anonymous.versions).toHaveLength(1);
    expect(anonymous.versions[0]).not.toHaveProperty("author");
    expect(JSON.stringify(anonymous)).not.toContain("seoul-admin");
    const html = (await page(new URL(localId).pathname)).html;
    expect(html).toContain("Version 1");
    expect(html).not.toContain("seoul-admin");
    expect((await api(seoul, `/api/items/versions?id=${encodeURIComponent(localId)}`)).body.versions[0].author).toBe(
      "seoul-admin",
    );
  });

  it("pages allow images only from this node", async () => {
    const csp = (await page(`/library/item?${new URLSearchParams({ id: rogueId })}`)).headers.get(
      "content-security-policy",
    )!;
    expect(csp).toMatch(/(^|; )img-src 'self' data:(;|$)/);
    expect(csp).not.toContain("https:");
  });
});
