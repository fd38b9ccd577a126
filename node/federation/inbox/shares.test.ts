import { Announce, Undo } from "@fedify/fedify/vocab";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createShareStore, type ShareStore } from "../../db/share-store.ts";
import { describeEachDatabase } from "../../db/test-databases.ts";
import { createLogger } from "../../log.ts";
import { createTestLibrary, draftFixture, type TestLibrary } from "../../test-support.ts";
import { createInboxContext } from "../test-support.ts";
import { isShareOfOurs, onItemShared, onShareUndone, type ShareHandlerDeps } from "./shares.ts";

let t: TestLibrary;
let shares: ShareStore;
let deps: ShareHandlerDeps;
const carol = new URL("http://snac.test/carol");

function boost(object: string, actor = carol, n = 1): Announce {
  return new Announce({ id: new URL(`${actor.href}/a/${n}`), actor, object: new URL(object) });
}

async function published(): Promise<string> {
  const result = await t.library.create(draftFixture("case-study.minimal"), { author: "test" });
  if (!result.ok) throw new Error(JSON.stringify(result));
  return result.item.id;
}

describeEachDatabase("shares of our items", (database) => {
  beforeAll(async () => {
    t = await createTestLibrary(undefined, undefined, { database });
    shares = createShareStore(t.orm);
    deps = { shares, library: t.library, identity: t.identity, logger: createLogger("error") };
  });
  afterAll(async () => t.orm.close());

  describe("onItemShared()", () => {
    it("counts each actor's boost of one of our items once, fetching nothing", async () => {
      const id = await published();
      // The context has no documents: any fetch would throw.
      const { ctx } = createInboxContext();
      await onItemShared(deps, ctx, boost(id, carol, 1));
      await onItemShared(deps, ctx, boost(id, carol, 2));
      await onItemShared(deps, ctx, boost(id, new URL("http://mastodon.test/users/dan")));
      expect(await shares.count(id)).toBe(2);
    });

    it("ignores a boost of an item this node does not hold, or holds deleted", async () => {
      const { ctx } = createInboxContext();
      const unknown = `${t.identity.origin}/items/no-such-item`;
      await onItemShared(deps, ctx, boost(unknown));
      expect(await shares.count(unknown)).toBe(0);
      const id = await published();
      expect((await t.library.remove(id, { author: "test" })).ok).toBe(true);
      await onItemShared(deps, ctx, boost(id));
      expect(await shares.count(id)).toBe(0);
    });

    it("is chosen only for an Announce of an object on our origin", () => {
      expect(isShareOfOurs(boost(`${t.identity.origin}/items/x`), t.identity)).toBe(true);
      expect(isShareOfOurs(boost("http://busan.test/items/x"), t.identity)).toBe(false);
    });
  });

  describe("onShareUndone()", () => {
    it("removes the share its Undo names, and tells a share from anything else", async () => {
      const id = await published();
      const { ctx } = createInboxContext();
      const announce = boost(id, carol, 7);
      await onItemShared(deps, ctx, announce);
      expect(await shares.count(id)).toBe(1);
      const undoOther = new Undo({
        id: new URL(`${carol.href}/u/1`),
        actor: carol,
        object: new URL(`${carol.href}/f/1`),
      });
      expect(await onShareUndone(deps, undoOther)).toBe(false);
      const undo = new Undo({ id: new URL(`${carol.href}/u/2`), actor: carol, object: announce });
      expect(await onShareUndone(deps, undo)).toBe(true);
      expect(await shares.count(id)).toBe(0);
    });
  });
});
