/**
 * Loads the benchmark corpus straight into a node's item store (no signing, no rendering:
 * publishing cost is bench:library's subject), for the benches that measure reading it.
 */
import type { ItemRow, ItemVersionRow } from "../../node/db/entities.ts";
import { insertItemRows, insertVersionRows } from "../../node/db/item-writes.ts";
import { TEST_IDENTITY, type TestLibrary } from "../../node/test-support.ts";
import { generateDraft } from "./corpus.ts";

/** The peer that every third item comes from: the index and pages hold the network's library, not only ours. */
export const BENCH_PEER = "https://busan.bench.example";

/** Stores items 0 to `size - 1` of the corpus, 500 to a transaction, generated batch by batch (the RSS stays the node's). */
export async function loadCorpus(t: Pick<TestLibrary, "orm">, size: number): Promise<void> {
  const stamp = "2026-01-01T00:00:00.000Z";
  for (let i = 0; i < size; i += 500) {
    const items: ItemRow[] = [];
    const versions: ItemVersionRow[] = [];
    for (let n = i; n < Math.min(i + 500, size); n++) {
      const draft = generateDraft(n);
      const origin = n % 3 === 2 ? BENCH_PEER : TEST_IDENTITY.origin;
      const updated = new Date(Date.parse(stamp) + n * 1000).toISOString();
      const document = {
        id: `${origin}/items/bench-${n}`,
        attributedTo: `${origin}/cities/x`,
        published: stamp,
        updated,
        version: 1,
        ...draft,
      };
      items.push({
        id: document.id,
        type: draft.type as string,
        origin,
        local: origin === TEST_IDENTITY.origin,
        version: 1,
        title: draft.title as string,
        city: draft.city as string,
        language: "en",
        published: stamp,
        updated,
        deleted: false,
        verified: true,
        createdAt: stamp,
      });
      versions.push({
        itemId: document.id,
        version: 1,
        document: JSON.stringify(document),
        jws: "bench..unsigned",
        html: "{}",
        author: "bench",
        changed: "[]",
        createdAt: stamp,
      });
    }
    await t.orm.em.fork().transactional(async (em) => {
      await insertItemRows(em, items);
      await insertVersionRows(em, versions);
    });
  }
}
