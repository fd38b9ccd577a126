import { describe, expect, it } from "vitest";
import type { PeerView } from "../db/peer-store.ts";
import { publicPeers } from "./api-peers.ts";

function peer(host: string, weFollow: string, theyFollow: string, state: PeerView["state"]): PeerView {
  return {
    actor: `http://${host}/cities/x`,
    host,
    handle: "x",
    name: "X",
    state,
    weFollow,
    theyFollow,
    items: 3,
    lastSeen: "2026-01-01T00:00:00Z",
    lastError: "connect ECONNREFUSED 10.0.0.7:443",
    healthy: false,
    failingSince: "2026-01-01T00:01:00Z",
    backfill: { state: "idle", done: 3, total: 3 },
  };
}

describe("publicPeers()", () => {
  it("keeps only established peerings, without follow details or error messages", () => {
    const out = publicPeers([
      peer("mutual.test", "accepted", "accepted", "mutual"),
      peer("following.test", "accepted", "pending", "pending"),
      peer("followed.test", "none", "accepted", "followed"),
      peer("asking.test", "none", "pending", "pending"),
      peer("asked.test", "requested", "none", "requested"),
      peer("refused.test", "rejected", "none", "rejected"),
      { ...peer("blocked.test", "none", "none", "blocked"), actor: "" },
    ]);
    expect(out.map((p) => [p.host, p.state])).toEqual([
      ["mutual.test", "mutual"],
      // A followed peer that asked to be followed back is still just "following" to the public.
      ["following.test", "following"],
      ["followed.test", "followed"],
    ]);
    expect(Object.keys(out[0]!).sort()).toEqual([
      "actor",
      "backfill",
      "handle",
      "host",
      "items",
      "lastSeen",
      "name",
      "state",
    ]);
    expect(JSON.stringify(out)).not.toContain("ECONNREFUSED");
  });
});
