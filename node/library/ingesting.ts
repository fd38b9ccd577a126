import canonicalize from "canonicalize";
import type { ItemRow, ItemVersionRow } from "../db/entities.ts";
import type { IngestedHead, ItemStore, VersionHtml } from "../db/item-store.ts";
import type { MetaStore } from "../db/meta-store.ts";
import type { RenderedFields } from "../render/document-fields.ts";
import type { Announce, IngestInput, IngestResult, LibraryChange, RenderDocument } from "./model.ts";
import { changedFields, rowsFor, toStored } from "./stored.ts";

/** Options of {@link createIngesting}. */
export interface IngestingOptions {
  readonly store: ItemStore;
  readonly render: RenderDocument;
  readonly announce: Announce;
}

interface Queued {
  readonly input: IngestInput;
  /** The document's rendered fields, under way on the render worker since it arrived; null for a Tombstone. */
  readonly html: Promise<RenderedFields> | null;
  readonly resolve: (r: IngestResult) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Stores peers' verified versions with group commit: deliveries that arrive together
 * share one transaction (one fsync), which is what makes ingest fast; a lone delivery
 * still commits at once. Batches run one at a time, so head-version guards never race.
 * Each version's Markdown is rendered from the moment it arrives (on the render worker in a
 * running node, while this thread verifies the next deliveries) and stored with it, so
 * reads never render nor write.
 */
export function createIngesting(options: IngestingOptions): (input: IngestInput) => Promise<IngestResult> {
  const { store, render, announce } = options;
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
      html: Promise<RenderedFields> | null;
      deleted: boolean;
    }[] = [];
    const results: IngestResult[] = [];
    for (const { input, html } of batch) {
      const { document, jws, origin, provenance } = input;
      const id = document.id as string;
      const version = document.version as number;
      const canonical = canonicalize(document) as string;
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
      if (deleted) {
        rows.item.deleted = true;
        rows.item.type = now?.item.type ?? String(document.formerType ?? "Tombstone");
        rows.item.title = now?.item.title ?? "";
        rows.item.city = now?.item.city ?? "";
        rows.item.language = now?.item.language ?? "";
        rows.item.published = now?.item.published ?? String(document.published ?? provenance.receivedAt);
      }
      if (now) rows.item.createdAt = now.item.createdAt;
      current.set(id, { item: rows.item, document: canonical, dbVersion: now ? now.dbVersion : null });
      written.push({ ...rows, html, deleted });
      results.push({ ok: true, status: deleted ? "deleted" : "stored" });
    }
    if (written.length === 0) return results;
    for (const w of written) if (w.html) w.version.html = JSON.stringify(await w.html);
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
    return results;
  }

  return (input) =>
    new Promise<IngestResult>((resolve, reject) => {
      const html = input.document.type === "Tombstone" ? null : render(input.document);
      // A stale or unchanged delivery never awaits its rendering: its failure is nobody's.
      html?.catch(() => {});
      queue.push({ input, html, resolve, reject });
      if (!running) void run();
    });
}

/** How far {@link renderUnrendered} has looked: versions up to this `seq` have their HTML. */
const RENDERED_THROUGH_KEY = "rendered-through-seq";

/**
 * Renders, through `render` and 100 at a time, the versions stored without HTML: every
 * peer version an older node stored (it rendered on first read), and any whose rendering
 * a crash cut short. Looks only at versions since its last run; run once at startup.
 * Returns how many it rendered.
 */
export async function renderUnrendered(options: {
  readonly store: ItemStore;
  readonly meta: MetaStore;
  readonly render: RenderDocument;
}): Promise<number> {
  const { store, meta, render } = options;
  const through = await store.maxSeq();
  let after = Number((await meta.get(RENDERED_THROUGH_KEY)) ?? 0);
  let count = 0;
  for (;;) {
    const rows = await store.unrendered(after, through, 100);
    if (rows.length === 0) break;
    const rendered = await Promise.all(
      rows.map(
        async (r): Promise<VersionHtml> => ({
          itemId: r.itemId,
          version: r.version,
          text: JSON.stringify(await render(JSON.parse(r.text) as Record<string, unknown>)),
        }),
      ),
    );
    await store.setRendered(rendered);
    count += rows.length;
    after = rows.at(-1)!.seq;
  }
  await meta.set(RENDERED_THROUGH_KEY, String(through));
  return count;
}
