import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Accept, Announce, Follow } from "@fedify/fedify/vocab";
import { describe, expect, it } from "vitest";
import { verifyDetachedJws } from "../../node/signing/jws.ts";
import { poll } from "../support.ts";
import { api, caseDraft, followActor, heldVersion, peer, publish, type CityNode } from "../federation/cluster.ts";
import { fileCluster } from "../federation/file-cluster.ts";
import { startRoguePeer, type RoguePeer } from "../federation/rogue-peer.ts";

// Finding 6 (backfill without bounds) and finding 7 (deletes missed while away) of issue 8:
// a real node follows a hand-driven peer whose outbox is hostile, and an honest node
// whose outbox must tell a returning follower what was deleted.

const OUTBOX = "/users/rogue/outbox";
/** The node's default limit on outbox pages read in one backfill run. */
const MAX_PAGES = 1_500;

let a: CityNode; // an honest city
let b: CityNode; // the follower under test
let rogue: RoguePeer;
/** Answers a page of the rogue's outbox (`?page=…`); swapped by each scenario. */
let servePage: (page: string) => Record<string, unknown> = () => ({ orderedItems: [] });

function sendJson(res: ServerResponse, body: unknown): void {
  res.setHeader("content-type", "application/activity+json");
  res.end(JSON.stringify(body));
}

function rogueOutbox(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", rogue.origin);
  const page = url.searchParams.get("page");
  const context = "https://www.w3.org/ns/activitystreams";
  if (page === null) {
    sendJson(res, {
      "@context": context,
      id: `${rogue.origin}${OUTBOX}`,
      type: "OrderedCollection",
      totalItems: 1,
      first: `${rogue.origin}${OUTBOX}?page=${scenario}-0`,
    });
    return;
  }
  sendJson(res, {
    "@context": context,
    id: url.href,
    type: "OrderedCollectionPage",
    partOf: `${rogue.origin}${OUTBOX}`,
    ...servePage(page),
  });
}

let scenario = "empty";
const pageUrl = (page: string) => `${rogue.origin}${OUTBOX}?page=${page}`;

type PeerEntry = {
  actor: string;
  state: string;
  lastError: string | null;
  backfill: { state: string; done: number; total: number };
};
async function rogueEntry(): Promise<PeerEntry> {
  const { body } = await api(b, "/api/peers");
  return (body.peers as PeerEntry[]).find((p) => p.actor === rogue.actorId.href)!;
}

/** Resyncs the rogue (an admin's action), and waits for the run to fail with a reason matching `reason`. */
async function resyncUntilFailed(reason: RegExp, deadlineMs = 60_000): Promise<PeerEntry> {
  expect((await api(b, "/api/peers/resync", { json: { actor: rogue.actorId.href } })).status).toBe(200);
  return poll(
    `b's backfill of the rogue to fail with ${reason}`,
    async () => {
      const entry = await rogueEntry();
      return entry.backfill.state === "failed" && reason.test(entry.lastError ?? "") ? entry : undefined;
    },
    deadlineMs,
  );
}

/** The node answers an ordinary read within a bound a stalled node would exceed by far. */
async function answersPromptly(node: CityNode): Promise<void> {
  const started = Date.now();
  const res = await fetch(`${node.url}/api/items?limit=1`, { signal: AbortSignal.timeout(10_000) });
  expect(res.status).toBe(200);
  expect(Date.now() - started).toBeLessThan(5_000);
}

const cluster = fileCluster({
  cities: ["aseoul", "busan"],
  async started(nodes) {
    [a, b] = nodes;
    rogue = await startRoguePeer();
    rogue.route(OUTBOX, rogueOutbox);
    await peer(b, a);
    await followActor(b, rogue.actorId.href);
    await poll("b's first backfill of the rogue to finish", async () => (await rogueEntry()).backfill.state === "done");
  },
  timeout: 180_000,
  stopping: async () => rogue?.close(),
});

describe("backfill bounds", () => {
  it("reads a page whose next is itself once, and ends the run as failed with the loop as its reason", async () => {
    scenario = "self";
    servePage = (page) => ({ orderedItems: [], next: pageUrl(page) });
    const before = rogue.hits(OUTBOX);
    const entry = await resyncUntilFailed(/a page already read in this run \(a loop/);
    expect(entry.lastError).toContain(pageUrl("self-0"));
    // The collection and the page, each once: the second visit of the page never happens.
    expect(rogue.hits(OUTBOX) - before).toBe(2);
    await answersPromptly(b);
  }, 90_000);

  it("stops an endless chain of distinct pages at the page limit, and serves meanwhile", async () => {
    scenario = "chain";
    servePage = (page) => ({ orderedItems: [], next: pageUrl(`chain-${Number(page.split("-")[1]) + 1}`) });
    const before = rogue.hits(OUTBOX);
    expect((await api(b, "/api/peers/resync", { json: { actor: rogue.actorId.href } })).status).toBe(200);
    const entry = await poll(
      "the walk to stop at the page limit",
      async () => {
        await answersPromptly(b);
        const current = await rogueEntry();
        return current.backfill.state === "failed" && /outbox pages in one run, the limit/.test(current.lastError ?? "")
          ? current
          : undefined;
      },
      180_000,
      500,
    );
    expect(entry.lastError).toContain(`read ${MAX_PAGES} outbox pages in one run`);
    expect(rogue.hits(OUTBOX) - before).toBe(1 + MAX_PAGES);
    const afterStop = rogue.hits(OUTBOX);
    await answersPromptly(b);
    expect(rogue.hits(OUTBOX)).toBe(afterStop);
  }, 240_000);

  it("refuses a page listing 1,000 entries whole: nothing of it is stored", async () => {
    scenario = "huge";
    const doc = {
      id: `${rogue.origin}/items/huge-${randomUUID()}`,
      type: "CaseStudy",
      attributedTo: rogue.actorId.href,
      published: "2026-01-01T00:00:00Z",
      updated: "2026-01-01T00:00:00Z",
      version: 1,
      title: "One of a thousand",
      summary: "A well-signed item on an oversized outbox page.",
      language: "en",
      city: "Rogue",
      country: "KR",
      body: "Body text.",
    };
    const article = await rogue
      .article(doc.id, { document: doc, jws: await rogue.sign(doc) })
      .toJsonLd({ format: "compact" });
    const entries = Array.from({ length: 1_000 }, (_, i) => ({
      type: "Create",
      id: `${rogue.origin}/activities/huge-${i}`,
      actor: rogue.actorId.href,
      object: article,
    }));
    servePage = () => ({ orderedItems: entries });
    const before = rogue.hits(OUTBOX);
    const entry = await resyncUntilFailed(/lists 1000 entries, more than the 500 read from one page/);
    expect(entry.lastError).toContain(pageUrl("huge-0"));
    expect(rogue.hits(OUTBOX) - before).toBe(2);
    expect(await heldVersion(b, doc.id)).toBe(0);
    await answersPromptly(b);
  }, 90_000);

  it("does not walk again when the peer sends an Accept right after a run hit a limit", async () => {
    // The last run (previous test) ended on a limit. An Accept from the peer starts a full
    // backfill; after a limit it must wait for the next periodic catch-up instead.
    const before = rogue.hits(OUTBOX);
    const logged = () =>
      b.node
        .output()
        .split("\n")
        .filter((l) => l.includes('"backfill held back until the next catch-up')).length;
    const heldBefore = logged();
    const follow = new Follow({ actor: new URL(b.actor), object: rogue.actorId });
    await rogue.send(
      { actor: b.actor, inbox: `${b.url}/cities/busan/inbox` },
      new Accept({ id: new URL(`${rogue.origin}/accepts/${randomUUID()}`), actor: rogue.actorId, object: follow }),
    );
    await poll("b to hold the backfill back", async () => logged() > heldBefore);
    expect(rogue.hits(OUTBOX)).toBe(before);
    expect((await rogueEntry()).backfill.state).toBe("failed");
  }, 60_000);
});

describe("deletes reach a follower that was away", () => {
  it("lists a deleted item in the outbox as a Delete carrying its signed Tombstone, newest first", async () => {
    const id = await publish(a, caseDraft("Published, then withdrawn"));
    expect((await api(a, `/api/items?id=${encodeURIComponent(id)}`, { method: "DELETE" })).status).toBeLessThan(300);
    const get = async (url: string) =>
      // biome-ignore lint/suspicious/noExplicitAny: the test walks the outbox JSON as it comes
      (await fetch(url, { headers: { accept: "application/activity+json" } })).json() as Promise<Record<string, any>>;
    const outbox = await get(`${a.actor}/outbox`);
    const page = await get(typeof outbox.first === "string" ? outbox.first : outbox.first.id);
    const first = page.orderedItems[0];
    expect(first).toMatchObject({ type: "Delete", actor: a.actor, object: { type: "Tombstone", id } });
    const attachment = [first.object.attachment]
      .flat()
      .find((x: { mediaType?: string }) => x.mediaType === "application/vnd.wego.signed-item+json");
    const signed = JSON.parse(attachment.content) as { document: Record<string, unknown>; jws: string };
    expect(signed.document).toMatchObject({
      id,
      type: "Tombstone",
      formerType: "CaseStudy",
      attributedTo: a.actor,
      version: 2,
    });
    const jwks = (await (await fetch(`${a.url}/.well-known/jwks.json`)).json()) as { keys: [] };
    expect((await verifyDetachedJws(signed.document, signed.jws, jwks.keys)).ok).toBe(true);
    expect(outbox.totalItems).toBe((page.orderedItems as unknown[]).length);
  }, 60_000);

  let withdrawn: string;
  let liveCopy: { document: Record<string, unknown>; jws: string };

  it("a follower that was down when an item was deleted holds its Tombstone after it returns", async () => {
    withdrawn = await publish(a, caseDraft("Deleted while busan was down"));
    await poll("b to hold the item", async () => (await heldVersion(b, withdrawn)) === 1);
    liveCopy = (await api(a, `/api/items?id=${encodeURIComponent(withdrawn)}`)).body;
    await b.node.stop();
    // A stands for a peer that gave up delivering to B (Fedify retries for a while, then
    // drops the delivery): with B's host blocked, A sends B nothing, so only A's outbox can
    // tell B of the delete.
    const bHost = new URL(b.url).host;
    expect((await api(a, "/api/peers/block", { json: { host: bHost } })).status).toBe(200);
    expect((await api(a, `/api/items?id=${encodeURIComponent(withdrawn)}`, { method: "DELETE" })).status).toBeLessThan(
      300,
    );
    await cluster.restart(b); // catches up with every followed peer at start
    await poll("b to hold the Tombstone", async () => (await heldVersion(b, withdrawn)) === -1, 60_000);
    const res = await api(b, `/api/items?id=${encodeURIComponent(withdrawn)}`);
    expect(res.status).toBe(410);
    expect((await api(a, "/api/peers/unblock", { json: { host: bHost } })).status).toBe(200);
  }, 150_000);

  it("a relayed older version does not bring the deleted item back", async () => {
    await rogue.send(
      { actor: b.actor, inbox: `${b.url}/cities/busan/inbox` },
      new Announce({
        id: new URL(`${rogue.origin}/activities/${randomUUID()}`),
        actor: rogue.actorId,
        object: rogue.article(withdrawn, liveCopy, a.actor),
      }),
    );
    await poll("b to refuse the relayed copy", async () =>
      b.node
        .output()
        .split("\n")
        .some(
          (l) =>
            l.includes('"refused an item"') &&
            l.includes(JSON.stringify(withdrawn)) &&
            l.includes("stale: this node holds version 2, got 1"),
        ),
    );
    expect(await heldVersion(b, withdrawn)).toBe(-1);
  }, 60_000);
});
