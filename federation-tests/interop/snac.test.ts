import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, caseDraft, createCluster, peerState, publish, type CityNode } from "../federation/cluster.ts";
import { freePort, poll, removeDir, tempDir } from "../support.ts";
import { PUBLIC_URI } from "../../node/federation/public-address.ts";
import { buildSnac, snacUnavailable, startSnac, type SnacPeer } from "./snac.ts";

const unavailable = snacUnavailable();
if (unavailable) console.warn(`snac interop tests skipped: ${unavailable}`);

const cluster = createCluster();
let city: CityNode;
let snac: SnacPeer;
let dir: string;
let caseId: string;

/** Whether carol's timeline (user/carol/private) lists the object `id`. */
function inTimeline(peer: SnacPeer, id: string): boolean {
  return peer.jsonFiles(`user/${peer.user}/private`).some((o) => o.id === id);
}

/** The object snac keeps under `id`, if any. */
function objectIn(peer: SnacPeer, id: string): Record<string, unknown> | undefined {
  return peer.jsonFiles("object").find((o) => o.id === id);
}

beforeAll(async () => {
  if (unavailable) return;
  const bin = await buildSnac();
  dir = tempDir("snac");
  [city, snac] = await Promise.all([
    cluster.start("seoul", { args: ["--website", "https://english.seoul.go.kr/", "--member-since", "2010"] }),
    startSnac(bin, join(dir, "snac"), await freePort()),
  ]);
}, 300_000);

afterAll(async () => {
  await snac?.stop();
  await cluster.stop();
  if (dir && !process.env.KEEP_SNAC) removeDir(dir);
  else if (dir) console.log("kept", dir);
});

describe.skipIf(!!unavailable)("snac, a real fediverse server, and a city", () => {
  it("snac follows the city, the city approves, snac holds the Accept and imports the city's outbox", async () => {
    // Published before anyone follows: snac finds it by reading the city's outbox.
    const earlier = await publish(city, caseDraft("An earlier case"));
    const followed = await snac.command("follow", snac.user, city.actor);
    expect(followed.status).toBe(0);
    await poll(
      "the city to see snac's request",
      async () => (await peerState(city, { actor: snac.actor } as CityNode)) === "pending",
    );
    expect((await api(city, "/api/peers/approve", { json: { actor: snac.actor } })).status).toBe(200);
    const accepted = await poll("snac to hold the Accept", async () =>
      snac.jsonFiles(`user/${snac.user}/following`).find((a) => a.type === "Accept"),
    );
    expect(accepted.actor).toBe(city.actor);
    const imported = await poll("snac to import the earlier case", async () => objectIn(snac, earlier));
    expect(imported.to).toContain(PUBLIC_URI);
  });

  it("a new case reaches snac addressed publicly, with no content warning and its structure in the content", async () => {
    caseId = await publish(
      city,
      caseDraft("Smart bus stops", {
        outcomes: [
          { metric: "Waiting time at stops", value: 30, unit: "% less", year: 2024, source: "Transport office" },
        ],
        lessons: ["Start with the busiest routes"],
      }),
    );
    const object = await poll("snac to hold the case", async () => objectIn(snac, caseId));
    expect(object.to).toContain(PUBLIC_URI);
    expect(object).not.toHaveProperty("summary");
    const content = String(object.content);
    expect(content).toContain("<h2>Outcomes</h2>");
    expect(content).toContain("<strong>Waiting time at stops</strong>: 30 % less (2024)");
    // What the reader sees: carol's timeline shows it unfolded (no content warning).
    const page = await snac.timeline();
    expect(page).toContain("Waiting time at stops");
    expect(page).not.toContain("[SENSITIVE CONTENT]");
  });

  it("snac knows the city by its profile: avatar, header, summary, fields, and the case pinned", async () => {
    // biome-ignore lint/suspicious/noExplicitAny: the actor as snac stored it
    const actor = snac.jsonFiles("object").find((o) => o.id === city.actor) as Record<string, any>;
    expect(actor.type).toBe("Organization");
    expect(actor.url).toBe(`${city.url}/library/cities/Seoul`);
    expect(actor.discoverable).toBe(true);
    for (const image of [actor.icon, actor.image]) {
      const res = await fetch(image.url);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/png");
      // The PNG signature: a real image, as Mastodon and snac require for avatars.
      expect(
        Buffer.from(await res.arrayBuffer())
          .subarray(0, 8)
          .toString("hex"),
      ).toBe("89504e470d0a1a0a");
    }
    const fields = Object.fromEntries(
      [actor.attachment].flat().map((f: { type: string; name: string; value: string }) => [f.name, f]),
    );
    expect(fields.Website?.type).toBe("PropertyValue");
    expect(fields.Website?.value).toContain('href="https://english.seoul.go.kr/"');
    expect(fields["WeGO member since"]?.value).toBe("2010");
    // The summary a reader sees on the city profile.
    expect(String(actor.summary)).toContain("case studies, policy-export pathways and open datasets");
    const featured = await (await fetch(actor.featured, { headers: { accept: "application/activity+json" } })).json();
    expect([featured.orderedItems ?? featured.items].flat().map((o: { id: string }) => o.id)).toContain(caseId);
  });

  it("snac boosts the case publicly and the city counts the share on the item page", async () => {
    expect(await snac.timeline()).toContain('value="Boost"'); // snac offers a boost only on a public post
    expect((await snac.command("boost", snac.user, caseId)).status).toBe(0);
    const page = await poll("the city to count the share", async () => {
      const html = await (await fetch(caseId, { headers: { accept: "text/html" } })).text();
      return /class="shares">1</.test(html) && html;
    });
    expect(page).toContain("Shared on the fediverse");
    // snac keeps what its user boosted under admire/.
    expect(snac.jsonFiles(`user/${snac.user}/admire`).some((o) => o.id === caseId)).toBe(true);
    expect(city.node.output()).not.toMatch(/refused an item[^\n]*smart-bus-stops/);
  });

  it("snac withdraws the boost and the city stops counting it", async () => {
    expect((await snac.command("unboost", snac.user, caseId)).status).toBe(0);
    const page = await poll("the city to drop the share", async () => {
      const html = await (await fetch(caseId, { headers: { accept: "text/html" } })).text();
      return !html.includes('class="shares"') && html;
    });
    expect(page).not.toContain("Shared on the fediverse");
    expect(city.node.output()).toContain("a share was withdrawn");
  });

  it("an update and a delete reach snac", async () => {
    const put = await api(city, `/api/items?id=${encodeURIComponent(caseId)}`, {
      method: "PUT",
      json: caseDraft("Smart bus stops, two years on"),
    });
    expect(put.status).toBe(200);
    expect(inTimeline(snac, caseId)).toBe(true);
    await poll(
      "snac to hold the new version",
      async () => objectIn(snac, caseId)?.name === "Smart bus stops, two years on",
    );
    expect((await api(city, `/api/items?id=${encodeURIComponent(caseId)}`, { method: "DELETE" })).status).toBe(200);
    // snac takes it off carol's timeline (it keeps the object itself while carol's boost names it).
    await poll("snac to drop the case from the timeline", async () => !inTimeline(snac, caseId));
    expect(await snac.timeline()).not.toContain("two years on");
  });

  it("the city follows snac by handle, and refuses its Notes without error", async () => {
    await snac.command("note", snac.user, "An early note, before the city followed");
    const asked = await api(city, "/api/peers", { json: { actor: snac.handle } });
    expect(asked.body).toMatchObject({ actor: snac.actor });
    expect(asked.status).toBe(200);
    await poll("snac to accept the city", async () =>
      ["mutual", "following"].includes((await peerState(city, { actor: snac.actor } as CityNode)) ?? ""),
    );
    // snac's outbox lists its posts inline (no `first` page): the backfill reads them, and
    // refuses the note before the follow like any unsigned item.
    const backfilled = await poll("the backfill of snac's outbox", async () =>
      city.node
        .output()
        .split("\n")
        .find((line) => line.includes("backfill finished") && line.includes(snac.actor)),
    );
    expect(JSON.parse(backfilled).items).toBeGreaterThanOrEqual(1);
    expect((await snac.command("note", snac.user, "Hello from snac")).status).toBe(0);
    const refusal = await poll("the city to refuse the note", async () =>
      city.node
        .output()
        .split("\n")
        .find((line) => line.includes("refused an item") && line.includes(`${snac.actor}/p/`)),
    );
    expect(JSON.parse(refusal).reason).toMatch(/signed/);
    // Taken at the door (202), refused cleanly: no handler failed, nothing was kept.
    expect(snac.log()).toMatch(/sent to inbox http:\/\/127\.0\.0\.1:\d+\/(cities\/seoul\/)?inbox \(202/);
    expect(city.node.output()).not.toMatch(/inbox listener failed|"level":"error"/);
    expect(
      (await api(city, "/api/items?limit=50")).body.items.some((i: { id: string }) => i.id.startsWith(snac.origin)),
    ).toBe(false);
  });

  it("a follow that fails says why, to the admin and in the log", async () => {
    const handle = `@nobody@${snac.host}`;
    const asked = await api(city, "/api/peers", { json: { actor: handle } });
    expect(asked.status).toBe(404);
    expect(asked.body.error).toContain(`${snac.origin}: WebFinger answered HTTP 404 for acct:nobody@${snac.host}`);
    const logged = await poll("the failure in the log", async () =>
      city.node
        .output()
        .split("\n")
        .find((line) => line.includes("could not follow") && line.includes(handle)),
    );
    expect(JSON.parse(logged).reason).toContain("WebFinger answered HTTP 404");
  });

  it("a blocked snac host is refused", async () => {
    expect((await api(city, "/api/peers/block", { json: { host: snac.host } })).status).toBe(200);
    expect((await snac.command("note", snac.user, "A note to a city that blocked us")).status).toBe(0);
    await poll("snac's delivery to be refused", async () => /inbox \(403 Forbidden\)/.test(snac.log()));
    const peers = (await api(city, "/api/peers")).body.peers as { host: string; state: string }[];
    expect(peers.find((p) => p.host === snac.host)?.state).toBe("blocked");
  });
});
