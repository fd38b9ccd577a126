import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { poll } from "../support.ts";
import {
  caseDraft,
  createCluster,
  heldVersion,
  peer,
  publish,
  type CityNode,
  type Cluster,
} from "../federation/cluster.ts";

// Issue 14: search that never blocks the node. While concurrent searches keep a real node
// busy, an item a real peer publishes is still delivered to its inbox, verified and held,
// and a page still renders. Bounded in count and time; nothing here asserts a speed: the
// deadlines are generous waits, and each search is answered (200) or refused at once (503
// with Retry-After), never left hanging.

/** Concurrent search loops, and the searches each makes at most. */
const LOOPS = 12;
const PER_LOOP = 400;
/** Where a request is given up, so that a blocked node fails the test instead of hanging it. */
const GIVE_UP_MS = 20_000;

/** What the loops ask: API searches of each kind (typos and prefixes cost the most) and the search page. */
const QUERIES: readonly string[] = [
  "/api/search?q=call+center",
  "/api/search?q=governmen~2",
  "/api/search?q=citizn+particpation",
  "/api/search?q=se*",
  "/search?q=budget+dashboard",
  "/api/search?q=%EC%9D%91%EB%8B%B5%EC%86%8C",
];

let cluster: Cluster;
let seoul: CityNode;
let busan: CityNode;

beforeAll(async () => {
  cluster = createCluster();
  [seoul, busan] = await Promise.all([cluster.start("seoul", { seed: true }), cluster.start("busan")]);
  await peer(seoul, busan);
  await poll("seoul's seeds to be searchable", async () => {
    const res = await fetch(`${seoul.url}/api/search?q=call+center`);
    return res.status === 200 && ((await res.json()) as { total: number }).total > 0;
  });
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("a node under a burst of searches", () => {
  it("still takes in a peer's delivery, holds the item, and renders a page, while every search is answered or refused with 503", async () => {
    let stop = false;
    const statuses = new Map<number, number>();
    let missingRetryAfter = 0;
    let answered = 0;
    const loop = async (n: number) => {
      for (let i = 0; i < PER_LOOP && !stop; i++) {
        const res = await fetch(`${seoul.url}${QUERIES[(n + i) % QUERIES.length]}`, {
          signal: AbortSignal.timeout(GIVE_UP_MS),
        });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 503 && !res.headers.get("retry-after")) missingRetryAfter++;
        answered++;
      }
    };
    const loops = Promise.all(Array.from({ length: LOOPS }, (_, n) => loop(n)));
    try {
      // The searches are under way before the peer publishes.
      await poll("the searches to be under way", async () => answered >= LOOPS);
      const id = await publish(busan, caseDraft("Flood barrier sensors under load"));
      const before = answered;
      await poll(
        "seoul to hold the peer's item while searched",
        async () => (await heldVersion(seoul, id)) === 1,
        60_000,
      );
      const duringDelivery = answered - before;
      const home = await fetch(`${seoul.url}/`, {
        headers: { accept: "text/html" },
        signal: AbortSignal.timeout(GIVE_UP_MS),
      });
      expect(home.status).toBe(200);
      expect(await home.text()).toContain("<html");
      // The searches went on through the delivery: it was taken in under load, not after it.
      expect(duringDelivery).toBeGreaterThan(0);
      expect(answered).toBeLessThan(LOOPS * PER_LOOP);
    } finally {
      stop = true;
      await loops;
    }
    expect([...statuses.keys()].filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect(missingRetryAfter).toBe(0);
  }, 180_000);
});
