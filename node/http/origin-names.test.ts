import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestLibrary, TEST_IDENTITY, type TestLibrary } from "../test-support.ts";
import { createOriginNames } from "./origin-names.ts";
import { addPeerRow } from "./test-support.ts";
import { createPeerStore } from "../db/peer-store.ts";
import { describeEachDatabase } from "../db/test-databases.ts";

let t: TestLibrary;

describeEachDatabase("origin names", (database) => {
  beforeAll(async () => {
    t = await createTestLibrary(undefined, undefined, { database });
    await addPeerRow(t.orm, "http://busan.test/cities/busan", "Busan");
    await addPeerRow(t.orm, "http://mimic.test/cities/seoul", TEST_IDENTITY.name);
    await addPeerRow(t.orm, "http://spoof.test/cities/x", "  SEOUL\u202e\n  ");
    await addPeerRow(t.orm, "http://quiet.test/cities/q", null);
  });
  afterAll(async () => t.orm.close());

  describe("createOriginNames()", () => {
    it("names a peer origin by its actor's name and host, and this node by its own name", async () => {
      const names = await createOriginNames({ identity: TEST_IDENTITY, peers: createPeerStore(t.orm) }).of([
        "http://busan.test",
        "http://quiet.test",
        "http://unknown.test:8443",
        TEST_IDENTITY.origin,
      ]);
      expect(names.get("http://busan.test")).toMatchObject({ name: "Busan", label: "Busan (busan.test)" });
      expect(names.get("http://quiet.test")?.label).toBe("quiet.test");
      expect(names.get("http://unknown.test:8443")?.label).toBe("unknown.test:8443");
      expect(names.get(TEST_IDENTITY.origin)?.label).toBe(TEST_IDENTITY.name);
    });

    it("never lets a peer wear this node's name or handle: only its host is shown", async () => {
      const names = await createOriginNames({ identity: TEST_IDENTITY, peers: createPeerStore(t.orm) }).of([
        "http://mimic.test",
        "http://spoof.test",
      ]);
      expect(names.get("http://mimic.test")?.label).toBe("mimic.test");
      expect(names.get("http://spoof.test")?.label).toBe("spoof.test");
    });

    it("labels city keys: a peer's host with its name, a local city name as itself", async () => {
      const labels = await createOriginNames({ identity: TEST_IDENTITY, peers: createPeerStore(t.orm) }).labels([
        "busan.test",
        "Seoul",
        "quiet.test",
      ]);
      expect([...labels]).toEqual([
        ["busan.test", "Busan (busan.test)"],
        ["Seoul", "Seoul"],
        ["quiet.test", "quiet.test"],
      ]);
    });
  });
});
