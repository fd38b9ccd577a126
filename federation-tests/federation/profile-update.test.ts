import { describe, expect, it } from "vitest";
import { poll } from "../support.ts";
import { api, peer, type CityNode } from "./cluster.ts";
import { fileCluster } from "./file-cluster.ts";

// A city that changes how it is named (`--name`, `--website`) tells the cities that follow
// it, with an Update of its actor when it next starts; they show the new name. A restart
// that changes nothing sends nothing.

let a: CityNode; // the follower
let b: CityNode; // the city that renames itself

const cluster = fileCluster({
  cities: ["alpha", "beta"],
  async started(nodes) {
    [a, b] = nodes;
    await peer(a, b);
  },
});

/** The name A's peers list shows for B. */
async function nameOfBAtA(): Promise<string | null> {
  const listed = await api(a, "/api/peers");
  const { peers } = listed.body as { peers: { actor: string; name: string | null }[] };
  return peers.find((p) => p.actor === b.actor)?.name ?? null;
}

/** Waits until B has started its federation (it logs "serving" after the announcement). */
async function served(node: CityNode): Promise<void> {
  await poll(`${node.city} to log that it serves`, async () => node.node.output().includes('"serving"') || undefined);
}

describe("a city's profile change reaches its followers", () => {
  it("a restart with a new name sends an Update of the actor, and the follower lists the new name", async () => {
    expect(await nameOfBAtA()).toBe("Beta");
    await cluster.restart(b, "stop", ["--name", "Beta Metropolitan City", "--website", "https://beta.example/"]);
    await served(b);
    expect(b.node.output()).toContain("announced the actor's profile to its followers");
    await poll("a to show b's new name", async () => (await nameOfBAtA()) === "Beta Metropolitan City" || undefined);
    // B's actor document says the same, so the follower took what B says of itself.
    const res = await fetch(b.actor, { headers: { accept: "application/activity+json" } });
    expect(((await res.json()) as { name: string }).name).toBe("Beta Metropolitan City");
  });

  it("a restart that changes nothing announces nothing", async () => {
    await cluster.restart(b);
    await served(b);
    expect(b.node.output()).not.toContain("announced the actor's");
  });
});
