import canonicalize from "canonicalize";
import type { ItemRow, ItemVersionRow } from "../db/entities.ts";
import type { ItemStore } from "../db/item-store.ts";
import type { IngestedHead } from "../db/item-writes.ts";
import type { Announce, IngestInput, IngestResult, LibraryChange } from "./model.ts";
import { changedFields, rowsFor, toStored } from "./stored.ts";

/** Options of {@link createIngesting}. */
export interface IngestingOptions {
  readonly store: ItemStore;
  readonly announce: Announce;
  /** Called after each commit that stored versions without HTML (the render backlog's kick). */
  readonly stored: () => void;
}

interface Queued {
  readonly input: IngestInput;
  readonly resolve: (r: IngestResult) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Stores peers' verified versions with group commit: deliveries that arrive together
 * share one transaction (one fsync), which is what makes ingest fast; a lone delivery
 * still commits at once. Batches run one at a time, so head-version guards never race.
 * A version is stored without HTML and its Markdown rendered after the commit, by the render
 * backlog (render-backlog.ts), so rendering never slows ingest down.
 */
export function createIngesting(options: IngestingOptions): (input: IngestInput) => Promise<IngestResult> {
  const { store, announce, stored } = options;
  const queue: Queued[] = [];
  let running = false;
  async function run(): Promise<void> {
    running = true;
    try {
      while (queue.length > 0) {
        await new Promise((r) => setImmediate(r));
        const batch = queue.splice(0, 500);
        try {
          const results = await ingestBatch(batch);
          batch.forEach((b, i) => b.resolve(results[i]!));
        } catch (error) {
          for (const b of batch) b.reject(error);
        }
      }
    } finally {
      running = false;
    }
  }

  async function ingestBatch(batch: readonly Queued[]): Promise<IngestResult[]> {
    const held = await store.getMany([...new Set(batch.map((b) => b.input.document.id as string))]);
    // The state of each touched item as this batch goes: DB head first, then our own writes.
    const current = new Map<string, { item: ItemRow; document: string; dbVersion: number | null }>();
    for (const [id, h] of held)
      current.set(id, { item: h.item, document: h.version.document, dbVersion: h.item.version });
    const written: {
      item: ItemRow;
      version: ItemVersionRow;
      deleted: boolean;
    }[] = [];
    const results: IngestResult[] = [];
    for (const { input } of batch) {
      const { document, jws, origin, provenance } = input;
      const id = document.id as string;
      const version = document.version as number;
      const canonical = input.canonical ?? (canonicalize(document) as string);
      const now = current.get(id);
      if (now?.item.local) {
        results.push({ ok: false, reason: "local", heldVersion: now.item.version });
        continue;
      }
      if (now && version < now.item.version) {
        results.push({ ok: false, reason: "stale", heldVersion: now.item.version });
        continue;
      }
      if (now && version === now.item.version) {
        results.push(
          now.document === canonical
            ? { ok: true, status: "unchanged" }
            : { ok: false, reason: "conflict", heldVersion: now.item.version },
        );
        continue;
      }
      const deleted = document.type === "Tombstone";
      const changed = now ? changedFields(JSON.parse(now.document) as Record<string, unknown>, document) : [];
      const rows = rowsFor(
        { document, canonical, jws },
        { local: false, author: `via:${provenance.via}`, changed, createdAt: provenance.receivedAt, origin },
      );
      rows.version.provenance = JSON.stringify(provenance);
      if (!deleted) {
        // Left for the render backlog (render-backlog.ts); a Tombstone has nothing to render.
        rows.version.html = "";
      } else {
        rows.item.deleted = true;
        rows.item.type = now?.item.type ?? String(document.formerType ?? "Tombstone");
        rows.item.title = now?.item.title ?? "";
        rows.item.city = now?.item.city ?? "";
        rows.item.language = now?.item.language ?? "";
        rows.item.published = now?.item.published ?? String(document.published ?? provenance.receivedAt);
      }
      if (now) rows.item.createdAt = now.item.createdAt;
      current.set(id, { item: rows.item, document: canonical, dbVersion: now ? now.dbVersion : null });
      written.push({ ...rows, deleted });
      results.push({ ok: true, status: deleted ? "deleted" : "stored" });
    }
    if (written.length === 0) return results;
    const heads: IngestedHead[] = [];
    for (const id of new Set(written.map((w) => w.item.id))) {
      const state = current.get(id)!;
      heads.push({ item: state.item, from: state.dbVersion });
    }
    await store.writeIngested(
      heads,
      written.map((w) => w.version),
    );
    const changes: LibraryChange[] = written.map((w) =>
      w.deleted
        ? { kind: "deleted", id: w.item.id, version: w.version.version }
        : { kind: "stored", item: toStored(w.item, w.version) },
    );
    announce(changes);
    stored();
    return results;
  }

  return (input) =>
    new Promise<IngestResult>((resolve, reject) => {
      queue.push({ input, resolve, reject });
      if (!running) void run();
    });
}
