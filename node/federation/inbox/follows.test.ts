import { describe, expect, it } from "vitest";
import { activeDatabase, describeEachDatabase } from "../../db/test-databases.ts";
import { Accept, Follow, Reject } from "@fedify/fedify/vocab";
import type { Context } from "@fedify/fedify";
import { PUBLIC_ONLY } from "../../net/address-policy.ts";
import { createOutbound } from "../../net/outbound.ts";
import type { BackfillMode, BackfillTrigger } from "../backfill.ts";
import { createPeering } from "../peering.ts";
import type { PeerStore } from "../../db/peer-store.ts";
import { onFollowAccepted, onFollowed, type FollowHandlerDeps } from "./follows.ts";
import { createInboxContext, createTestPeer, testReceivers, type TestPeer } from "../test-support.ts";

const nodes = testReceivers(activeDatabase);

/** A peer city, and the follow handlers' deps over a fresh node with a backfill that records what it was asked to start. */
async function setUp(options: { manuallyApprovesFollowers?: boolean; allowlist?: string[] } = {}) {
  const node = await nodes.create();
  const started: { peerId: string; mode: BackfillMode; trigger: BackfillTrigger }[] = [];
  const backfill = {
    start: (_ctx: Context<void>, peerId: string, mode: BackfillMode, trigger: BackfillTrigger) =>
      void started.push({ peerId, mode, trigger }),
  };
  const peering = createPeering({
    peers: node.peers,
    library: node.library,
    identity: node.identity,
    logger: node.ingest.logger,
    outbound: createOutbound({ policy: PUBLIC_ONLY }),
    allowlist: options.allowlist ?? null,
    backfill,
  });
  const deps: FollowHandlerDeps = {
    peers: node.peers,
    logger: node.ingest.logger,
    identity: node.identity,
    manuallyApprovesFollowers: options.manuallyApprovesFollowers ?? true,
    peering,
    backfill,
  };
  return { node, deps, started, peer: await createTestPeer() };
}

/** A Follow of the test node's city by `peer`, and a context that can fetch the peer's actor. */
async function followBy(peer: TestPeer) {
  const follow = new Follow({
    id: new URL(`${peer.actorId.href}#follows/1`),
    actor: peer.actorId,
    object: new URL("http://seoul.test/cities/seoul"),
  });
  const { ctx, sent } = createInboxContext({
    [peer.actorId.href]: await peer.actor.toJsonLd(),
    [`${peer.actorId.href}/outbox`]: { type: "OrderedCollection", totalItems: 403 },
  });
  return { follow, ctx, sent };
}

describeEachDatabase("follows", () => {
  describe("onFollowed()", () => {
    it("records a follow request as pending when an admin approves followers", async () => {
      const { node, deps, peer } = await setUp();
      const { follow, ctx, sent } = await followBy(peer);
      await onFollowed(deps, ctx, follow);
      const row = await node.peers.get(peer.actorId.href);
      expect(row?.theyFollow).toBe("pending");
      expect(row?.theirFollowId).toBe(follow.id?.href);
      expect(row?.inbox).toBe(`${peer.actorId.href}/inbox`);
      // How large the asker's library is, for the admin deciding.
      expect(row?.backfillTotal).toBe(403);
      expect(row?.backfillState).toBe("idle");
      expect(sent).toEqual([]);
    });

    it("accepts at once when followers are not moderated", async () => {
      const { node, deps, peer } = await setUp({ manuallyApprovesFollowers: false });
      const { follow, ctx, sent } = await followBy(peer);
      await onFollowed(deps, ctx, follow);
      expect((await node.peers.get(peer.actorId.href))?.theyFollow).toBe("accepted");
      expect(sent).toHaveLength(1);
      expect(sent[0]!.activity).toBeInstanceOf(Accept);
      expect((sent[0]!.activity as Accept).objectId?.href).toBe(follow.id?.href);
    });

    it("answers a host off the allowlist with a Reject and records nothing", async () => {
      const { node, deps, peer } = await setUp({ allowlist: ["incheon.test"] });
      const { follow, ctx, sent } = await followBy(peer);
      await onFollowed(deps, ctx, follow);
      expect(await node.peers.get(peer.actorId.href)).toBeNull();
      expect(sent.map((s) => s.activity)).toEqual([expect.any(Reject)]);
    });

    it("ignores a Follow addressed to another actor", async () => {
      const { node, deps, peer } = await setUp();
      const { ctx, sent } = await followBy(peer);
      await onFollowed(
        deps,
        ctx,
        new Follow({
          id: new URL(`${peer.actorId.href}#follows/2`),
          actor: peer.actorId,
          object: new URL("http://seoul.test/cities/elsewhere"),
        }),
      );
      expect(await node.peers.get(peer.actorId.href)).toBeNull();
      expect(sent).toEqual([]);
    });
  });

  /** `node` has sent `peer` its Follow `#follows/1` and awaits the answer. */
  async function awaitingAccept(node: { readonly peers: PeerStore }, peer: TestPeer, outbox?: string): Promise<void> {
    await node.peers.remember({ actorId: peer.actorId.href, ...(outbox ? { outbox } : {}) });
    await node.peers.update(peer.actorId.href, {
      weFollow: "requested",
      ourFollowId: "http://seoul.test/cities/seoul#follows/1",
    });
  }

  /** `peer` answers with its Accept `#accepts/{n}` of the follow `followId`. */
  async function accept(deps: FollowHandlerDeps, peer: TestPeer, n: number, followId: string): Promise<void> {
    const { ctx } = createInboxContext();
    const object = new URL(followId);
    await onFollowAccepted(
      deps,
      ctx,
      new Accept({ id: new URL(`${peer.actorId.href}#accepts/${n}`), actor: peer.actorId, object }),
    );
  }

  describe("onFollowAccepted()", () => {
    it("marks our follow accepted and starts a full import of the peer's library", async () => {
      const { node, deps, started, peer } = await setUp();
      await awaitingAccept(node, peer, `${peer.actorId.href}/outbox`);
      await accept(deps, peer, 1, "http://seoul.test/cities/seoul#follows/1");
      expect((await node.peers.get(peer.actorId.href))?.weFollow).toBe("accepted");
      expect(started).toEqual([{ peerId: peer.actorId.href, mode: "full", trigger: "peer" }]);
    });

    it("ignores an Accept of a follow this node did not send", async () => {
      const { node, deps, started, peer } = await setUp();
      await awaitingAccept(node, peer);
      await accept(deps, peer, 9, "http://seoul.test/cities/seoul#follows/other");
      expect((await node.peers.get(peer.actorId.href))?.weFollow).toBe("requested");
      expect(started).toEqual([]);
    });
  });
});
