import { afterEach, describe, expect, it } from "vitest";
import { poll } from "../support.ts";
import { api, caseDraft, createCluster, heldVersion, peer, publish, type Cluster } from "./cluster.ts";

let cluster: Cluster;
afterEach(async () => {
  await cluster?.stop();
});

async function publishMany(
  node: Parameters<typeof publish>[0],
  count: number,
  prefix: string,
  concurrency = 8,
): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        ids.push(await publish(node, caseDraft(`${prefix} ${i}`)));
      }
    }),
  );
  return ids;
}

describe("delivery", () => {
  it("a receiver that was down while items were published gets every one when it returns", async () => {
    cluster = createCluster();
    const [a, b] = await Promise.all([cluster.start("aseoul"), cluster.start("busan")]);
    await peer(b, a);
    const early = await publish(a, caseDraft("Before the outage"));
    await poll("b to hold the first item", async () => (await heldVersion(b, early)) === 1);
    await b.node.stop();
    const during = await publishMany(a, 5, "During the outage", 2);
    expect(
      (
        await api(a, `/api/items?id=${encodeURIComponent(early)}`, {
          method: "PUT",
          json: caseDraft("Before the outage, revised"),
        })
      ).status,
    ).toBe(200);
    await cluster.restart(b);
    await poll(
      "b to catch up",
      async () => {
        for (const id of during) if ((await heldVersion(b, id)) !== 1) return false;
        return (await heldVersion(b, early)) === 2;
      },
      60_000,
    );
  }, 120_000);

  it("after the sender is killed with SIGKILL mid fan-out and restarted, every peer holds every item exactly once", async () => {
    cluster = createCluster();
    const [a, b, c] = await Promise.all([cluster.start("aseoul"), cluster.start("busan"), cluster.start("cheongju")]);
    await peer(b, a);
    await peer(c, a);
    const ids = await publishMany(a, 40, "Fan-out", 8);
    // Killed while deliveries for those 40 items are still queued or in flight.
    await cluster.restart(a, "kill");
    for (const node of [b, c]) {
      await poll(
        `${node.city} to hold all 40`,
        async () => {
          for (const id of ids) if ((await heldVersion(node, id)) !== 1) return false;
          return true;
        },
        60_000,
      );
      for (const id of ids.slice(0, 10)) {
        const history = await api(node, `/api/items/versions?id=${encodeURIComponent(id)}`);
        expect(history.body.versions.map((v: { version: number }) => v.version)).toEqual([1]);
      }
    }
  }, 150_000);
});

describe("backfill", () => {
  it("a new follower imports a library of 1,000 items, with progress in the peer list", async () => {
    cluster = createCluster();
    const [a, b] = await Promise.all([cluster.start("aseoul"), cluster.start("busan")]);
    const ids = await publishMany(a, 1000, "Backfilled case", 8);
    await peer(b, a);
    const done = await poll(
      "b to finish the backfill",
      async () => {
        const { body } = await api(b, "/api/peers");
        const entry = (
          body.peers as { actor: string; backfill: { state: string; done: number; total: number }; items: number }[]
        ).find((p) => p.actor === a.actor);
        return entry?.backfill.state === "done" ? entry : undefined;
      },
      120_000,
    );
    expect(done.backfill).toMatchObject({ done: 1000, total: 1000 });
    expect(done.items).toBe(1000);
    for (const id of [ids[0]!, ids[499]!, ids[999]!]) expect(await heldVersion(b, id)).toBe(1);
  }, 240_000);
});
