import { afterEach, beforeEach, expect, it } from "vitest";
import type { Orm } from "./orm.ts";
import { createPeerStore, type PeerStore, type PeerView } from "./peer-store.ts";
import { describeEachDatabase } from "./test-databases.ts";

const actor = "https://busan.test/cities/busan";

describeEachDatabase("createPeerStore() health", (database) => {
  let orm: Orm;
  let peers: PeerStore;

  beforeEach(async () => {
    orm = await database.open();
    peers = createPeerStore(orm);
    await peers.remember({ actorId: actor, name: "Busan", inbox: "https://busan.test/cities/busan/inbox" });
  });
  afterEach(async () => {
    await orm.close();
  });

  async function view(): Promise<PeerView> {
    return (await peers.list({})).find((p) => p.actor === actor)!;
  }

  it("recordError() makes a peer unhealthy at once, and keeps when its failures began", async () => {
    await peers.touch(actor);
    expect(await view()).toMatchObject({ healthy: true, failingSince: null });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await peers.recordError("busan.test", "connection refused (delivering an activity)");
    const first = await view();
    expect(first).toMatchObject({ healthy: false, lastError: "connection refused (delivering an activity)" });
    expect(first.failingSince! > first.lastSeen!).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await peers.recordError("BUSAN.test", "timed out after 10 s (reading their outbox)");
    const second = await view();
    expect(second.lastError).toBe("timed out after 10 s (reading their outbox)");
    expect(second.failingSince).toBe(first.failingSince);
  });

  it("touch() and touchHost() heal a failing peer at once, even within the minute a healthy peer's touch is skipped", async () => {
    await peers.touch(actor);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await peers.recordError("busan.test", "connection refused (reading their outbox)");
    expect((await view()).healthy).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await peers.touch(actor);
    expect(await view()).toMatchObject({ healthy: true, failingSince: null });

    await peers.touchHost("busan.test");
    await new Promise((resolve) => setTimeout(resolve, 5));
    await peers.recordError("busan.test", "answered HTTP 502 (delivering an activity)");
    expect((await view()).healthy).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await peers.touchHost("busan.test");
    const healed = await view();
    expect(healed).toMatchObject({ healthy: true, failingSince: null });
    // The last error stays on record, older than the contact that healed it.
    expect(healed.lastError).toBe("answered HTTP 502 (delivering an activity)");
  });
});
