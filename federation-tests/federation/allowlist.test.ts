import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { poll } from "../support.ts";
import { api, createCluster, peer, peerState, type CityNode, type Cluster } from "./cluster.ts";

let cluster: Cluster;
let member: CityNode;
let a: CityNode;
let outsider: CityNode;

beforeAll(async () => {
  cluster = createCluster();
  [member, outsider] = await Promise.all([cluster.start("busan"), cluster.start("cheongju")]);
  a = await cluster.start("aseoul", { args: ["--allow-hosts", new URL(member.url).host] });
}, 120_000);
afterAll(async () => {
  await cluster.stop();
});

describe("allowlist mode (--allow-hosts)", () => {
  it("lets a listed host peer", async () => {
    await peer(member, a);
    expect(await peerState(member, a)).toBe("following");
  });

  it("rejects a follow from a host that is not listed, and refuses to follow it", async () => {
    expect((await api(outsider, "/api/peers", { json: { actor: a.actor } })).status).toBe(200);
    await poll("the outsider to be rejected", async () => (await peerState(outsider, a)) === "rejected");
    expect(await peerState(a, outsider)).toBeUndefined();
    const follow = await api(a, "/api/peers", { json: { actor: outsider.actor } });
    expect(follow.status).toBe(403);
    expect(follow.body.error).toContain("not on the allowlist");
  });
});
