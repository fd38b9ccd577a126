import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, caseDraft, createCluster, peerState, publish, type CityNode } from "../federation/cluster.ts";
import { freePort, poll, removeDir, tempDir } from "../support.ts";
import { buildSnac, snacUnavailable, startSnac, type SnacPeer } from "./snac.ts";

const unavailable = snacUnavailable();
if (unavailable) console.warn(`snac interop tests skipped: ${unavailable}`);

const cluster = createCluster();
let city: CityNode;
let snac: SnacPeer;
let dir: string;

beforeAll(async () => {
  if (unavailable) return;
  const bin = await buildSnac();
  dir = tempDir("snac");
  [city, snac] = await Promise.all([cluster.start("seoul"), startSnac(bin, join(dir, "snac"), await freePort())]);
}, 300_000);

afterAll(async () => {
  await snac?.stop();
  await cluster.stop();
  if (dir) removeDir(dir);
});

describe.skipIf(!!unavailable)("snac, a real fediverse server, and a city", () => {
  it("snac follows the city, the city approves, and snac holds the Accept", async () => {
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
  });

  it("a new case reaches snac addressed publicly, with no content warning", async () => {
    const id = await publish(city, caseDraft("Smart bus stops"));
    const object = await poll("snac to hold the case", async () => snac.jsonFiles("object").find((o) => o.id === id));
    console.log(JSON.stringify(object, null, 1));
    expect(object.to).toContain("https://www.w3.org/ns/activitystreams#Public");
  });
});
