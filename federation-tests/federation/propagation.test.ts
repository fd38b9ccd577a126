import { describe, expect, it } from "vitest";
import { verifyDetachedJws } from "../../node/signing/jws.ts";
import { poll } from "../support.ts";
import { api, caseDraft, heldVersion, peer, peerState, publish, type CityNode } from "./cluster.ts";
import { fileCluster } from "./file-cluster.ts";

let a: CityNode;
let b: CityNode;
let c: CityNode;

fileCluster({
  cities: ["aseoul", "busan", "cheongju"],
  started: (nodes) => {
    [a, b, c] = nodes;
  },
});

describe("peering", () => {
  it("a follow request waits for approval, and a rejected one ends rejected", async () => {
    const asked = await api(c, "/api/peers", { json: { actor: b.actor } });
    expect(asked.body).toMatchObject({ ok: true, state: "requested" });
    await poll("b to list c as pending", async () => (await peerState(b, c)) === "pending");
    expect(await peerState(c, b)).toBe("requested");
    const rejected = await api(b, "/api/peers/reject", { json: { actor: c.actor } });
    expect(rejected.status).toBe(200);
    await poll("c to see the rejection", async () => (await peerState(c, b)) === "rejected");
  });

  it("peering needs an admin token: 401 without, 403 for an editor", async () => {
    const none = await fetch(`${b.url}/api/peers`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ actor: a.actor }),
    });
    expect(none.status).toBe(401);
    const { createTokenAsync } = await import("../support.ts");
    const editor = await createTokenAsync(b.dataDir, "editor", "ed");
    const res = await fetch(`${b.url}/api/peers`, {
      method: "POST",
      headers: { authorization: `Bearer ${editor}`, "content-type": "application/json" },
      body: JSON.stringify({ actor: a.actor }),
    });
    expect(res.status).toBe(403);
  });

  it("approved follows become following, and mutual when both follow", async () => {
    await peer(b, a);
    await peer(c, a);
    await peer(a, b);
    expect(await peerState(a, b)).toBe("mutual");
    expect(await peerState(b, a)).toBe("mutual");
    expect(await peerState(c, a)).toBe("following");
    expect(await peerState(a, c)).toBe("followed");
  });
});

describe("discovery and items on the wire", () => {
  it("serves WebFinger, NodeInfo, and each item as an Article carrying its signed document (HTML to browsers)", async () => {
    const host = new URL(a.url).host;
    const finger = (await (await fetch(`${a.url}/.well-known/webfinger?resource=acct:aseoul@${host}`)).json()) as {
      links: { rel: string; href: string }[];
    };
    expect(finger.links.find((l) => l.rel === "self")?.href).toBe(a.actor);
    const actor = (await (await fetch(a.actor, { headers: { accept: "application/activity+json" } })).json()) as Record<
      string,
      unknown
    >;
    expect(actor).toMatchObject({
      type: "Organization",
      preferredUsername: "aseoul",
      manuallyApprovesFollowers: true,
      inbox: `${a.actor}/inbox`,
      outbox: `${a.actor}/outbox`,
    });
    const nodeinfoLinks = (await (await fetch(`${a.url}/.well-known/nodeinfo`)).json()) as {
      links: { href: string }[];
    };
    const nodeinfo = (await (await fetch(nodeinfoLinks.links[0]!.href)).json()) as {
      software: { name: string };
      protocols: string[];
    };
    expect(nodeinfo).toMatchObject({ software: { name: "wego-exchange" }, protocols: ["activitypub"] });

    const id = await publish(a, caseDraft("Dereferenceable case"));
    const article = (await (await fetch(id, { headers: { accept: "application/activity+json" } })).json()) as {
      type: string;
      name: string;
      attributedTo: string;
      attachment: { mediaType: string; content: string } | { mediaType: string; content: string }[];
    };
    expect(article).toMatchObject({ type: "Article", name: "Dereferenceable case", attributedTo: a.actor });
    const attachments = Array.isArray(article.attachment) ? article.attachment : [article.attachment];
    const signed = JSON.parse(
      attachments.find((x) => x.mediaType === "application/vnd.wego.signed-item+json")!.content,
    ) as { document: { id: string }; jws: string };
    expect(signed.document.id).toBe(id);
    const held = await api(a, `/api/items?id=${encodeURIComponent(id)}`);
    expect(signed.jws).toBe(held.body.jws);
    const page = await fetch(id, { headers: { accept: "text/html" } });
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
  });
});

describe("items", () => {
  it("an item published on A reaches B and C verified, with provenance", async () => {
    const id = await publish(a, caseDraft("Open budget dashboard"));
    for (const node of [b, c]) {
      await poll(`${node.city} to hold ${id}`, async () => (await heldVersion(node, id)) === 1);
      const held = await api(node, `/api/items?id=${encodeURIComponent(id)}`);
      expect(held.body).toMatchObject({ origin: a.url, local: false, verified: true, provenance: { via: a.actor } });
      const jwks = (await (await fetch(`${a.url}/.well-known/jwks.json`)).json()) as { keys: never[] };
      expect((await verifyDetachedJws(held.body.document, held.body.jws, jwks.keys)).ok).toBe(true);
    }
  });

  it("updates and deletes propagate; the listing of peers' items follows", async () => {
    const id = await publish(a, caseDraft("Smart parking pilot"));
    await poll("b to hold v1", async () => (await heldVersion(b, id)) === 1);
    const put = await api(a, `/api/items?id=${encodeURIComponent(id)}`, {
      method: "PUT",
      json: caseDraft("Smart parking, citywide"),
    });
    expect(put.status).toBe(200);
    await poll("b and c to hold v2", async () => (await heldVersion(b, id)) === 2 && (await heldVersion(c, id)) === 2);
    expect((await api(c, `/api/items?id=${encodeURIComponent(id)}`)).body.document.title).toBe(
      "Smart parking, citywide",
    );
    const history = await api(b, `/api/items/versions?id=${encodeURIComponent(id)}`);
    expect(history.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect((await api(a, `/api/items?id=${encodeURIComponent(id)}`, { method: "DELETE" })).status).toBe(200);
    await poll(
      "b and c to drop it",
      async () => (await heldVersion(b, id)) === -1 && (await heldVersion(c, id)) === -1,
    );
    const listed = await api(b, `/api/items?limit=500`);
    expect(listed.body.items.map((i: { id: string }) => i.id)).not.toContain(id);
  });

  it("a peer cannot change another city's item through its own API", async () => {
    const id = await publish(a, caseDraft("Civic tech fellowship"));
    await poll("b to hold it", async () => (await heldVersion(b, id)) === 1);
    const put = await api(b, `/api/items?id=${encodeURIComponent(id)}`, { method: "PUT", json: caseDraft("Hijacked") });
    expect(put.status).toBe(403);
    expect(await heldVersion(a, id)).toBe(1);
  });

  it("blocking a host removes its follow and its items, and refuses its deliveries", async () => {
    const before = await publish(a, caseDraft("Before the block"));
    await poll("c to hold it", async () => (await heldVersion(c, before)) === 1);
    const blocked = await api(c, "/api/peers/block", { json: { host: new URL(a.url).host } });
    expect(blocked.status).toBe(200);
    expect(await heldVersion(c, before)).toBe(0);
    expect(await peerState(c, a)).toBe("blocked");
    const listed = await api(c, "/api/items?limit=500");
    expect(listed.body.items.filter((i: { origin: string }) => i.origin === a.url)).toEqual([]);
    const after = await publish(a, caseDraft("After the block"));
    await poll("b to hold the new item", async () => (await heldVersion(b, after)) === 1);
    expect(await heldVersion(c, after)).toBe(0);
  });
});
