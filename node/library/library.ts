import type { Orm } from "../db/orm.ts";
import { createItemStore, type LinkingGroup } from "../db/item-store.ts";
import { createMetaStore } from "../db/meta-store.ts";
import { createFileStore } from "../db/file-store.ts";
import type { KeyStore } from "../signing/keys.ts";
import { renderDocumentFields } from "../render/document-fields.ts";
import type { NodeIdentity } from "./identity.ts";
import type {
  IngestInput,
  IngestResult,
  LibraryChange,
  RenderDocument,
  StoredItem,
  VersionInfo,
  WriteContext,
  WriteResult,
} from "./model.ts";
import { createIngesting } from "./ingesting.ts";
import { createPublishing, type Publishing } from "./publishing.ts";
import { createRenderBacklog } from "./render-backlog.ts";
import { toStored } from "./stored.ts";
import type { DocumentValidator } from "./validation.ts";
import { referencedFiles } from "./uploads.ts";

// The library's public face: its values live in model.ts, its jobs in publishing.ts
// (local writes), ingesting.ts (peers' versions), render-backlog.ts (rendering what ingest
// stored) and feed.ts (what federation publishes).
export { MANAGED_FIELDS } from "./model.ts";
export type {
  IngestInput,
  IngestResult,
  LibraryChange,
  Provenance,
  StoredItem,
  VersionInfo,
  WriteContext,
  WriteResult,
} from "./model.ts";
export type { LinkingGroup, LinkingItem } from "../db/item-store.ts";

/** Filters and paging of {@link Library.list}. */
export interface ListOptions {
  readonly type?: string;
  readonly city?: string;
  /** Only items from this origin (scheme, host and port). */
  readonly origin?: string;
  readonly local?: boolean;
  /** Only items whose signature checked (true) or not (false). */
  readonly verified?: boolean;
  /** Only verified items that name this case (`case`): with `type: "Adoption"`, a case's adoptions. */
  readonly case?: string;
  readonly limit?: number;
  readonly offset?: number;
}

/** One row of a listing. */
export interface ListedItem {
  readonly id: string;
  readonly type: string;
  readonly title: string;
  readonly city: string;
  readonly origin: string;
  readonly local: boolean;
  readonly verified: boolean;
  readonly version: number;
  readonly updated: string;
  readonly language: string;
}

/** The library service: validate → canonicalize → sign → store → render. */
export interface Library extends Publishing {
  /** Publishes a new local item from a document without `id`. */
  create(input: unknown, context: WriteContext): Promise<WriteResult>;
  /** An item at its current (or a given) version, deleted ones included; null if unknown. Never writes. */
  get(id: string, version?: number): Promise<StoredItem | null>;
  /** The current versions of many items in one query; unknown ids are left out. */
  getMany(ids: readonly string[]): Promise<Map<string, StoredItem>>;
  /** Live items, newest first. */
  list(options?: ListOptions): Promise<{ total: number; items: ListedItem[] }>;
  /** An item's version history, newest first; null if unknown. */
  versions(id: string): Promise<VersionInfo[] | null>;
  /**
   * The live, verified items (this node's and its peers') whose current version links to
   * `id`, grouped by type: at most `perType` of each (default 10), with each group's count.
   */
  linkingTo(id: string, perType?: number): Promise<LinkingGroup[]>;
  /**
   * Calls `listener` after every committed change (search indexing, federation). A
   * listener that throws is reported as a process warning and never undoes the write.
   * Returns a function that unsubscribes.
   */
  subscribe(listener: (changes: readonly LibraryChange[]) => void): () => void;
  /**
   * Stores a peer's version that the caller has already verified (signature, origin,
   * schema). Idempotent: the same version again changes nothing; an older one is refused.
   */
  ingest(input: IngestInput): Promise<IngestResult>;
  /**
   * The signed current versions of live, verified items (the node's own, or with `network`
   * its peers' too), by id, a page at a time: `document` is the canonical JSON text that
   * was signed, as stored. Deleted items are left out.
   */
  signedItems(
    scope: "local" | "network",
  ): AsyncIterable<{ readonly id: string; readonly document: string; readonly jws: string }>;
  /** Removes every item that came from `origin` (a blocked peer); returns how many. */
  purgeOrigin(origin: string): Promise<number>;
  /** How many live items each peer origin has here. */
  countByOrigin(): Promise<Record<string, number>>;
  /**
   * Renders peers' versions stored without HTML (see render-backlog.ts): ingest starts this
   * itself after each commit; call it at startup for what an earlier process left. Resolves,
   * once nothing waits, with how many it rendered.
   */
  renderPending(): Promise<number>;
  /**
   * Holds that background rendering back while a bulk load runs (a backfill: see
   * render-backlog.ts); returns the release, which renders what waits.
   */
  holdRendering(): () => void;
  /** Lets background rendering finish its chunk and stops it: call before closing the database. */
  close(): Promise<void>;
}

/** Options of {@link createLibrary}. */
export interface LibraryOptions {
  readonly orm: Orm;
  readonly keys: KeyStore;
  readonly validator: DocumentValidator;
  readonly identity: NodeIdentity;
  /** Clock for timestamps (tests); defaults to the system clock. */
  readonly now?: () => Date;
  /** Renders Markdown fields, e.g. on a worker thread; defaults to rendering in-thread. */
  readonly render?: RenderDocument;
  /** Told when background rendering fails (reads render what it missed); defaults to a process warning. */
  readonly onRenderError?: (error: unknown) => void;
}

const MAX_LIMIT = 500;

/** Signed items read per query by {@link Library.signedItems}: bounds what one step holds. */
const SIGNED_PAGE = 500;

/** Creates the library service over the node's store and keys. */
export function createLibrary(options: LibraryOptions): Library {
  const { orm, keys, validator, identity } = options;
  const store = createItemStore(orm);
  const render = options.render ?? (async (document: Record<string, unknown>) => renderDocumentFields(document));
  const listeners = new Set<(changes: readonly LibraryChange[]) => void>();
  function announce(changes: readonly LibraryChange[]): void {
    if (changes.length === 0) return;
    for (const listener of listeners) {
      try {
        listener(changes);
      } catch (error) {
        // A listener's fault must not turn a committed write into an error.
        process.emitWarning(`library listener failed: ${(error as Error)?.stack ?? String(error)}`);
      }
    }
  }
  const publishing = createPublishing({
    store,
    keys,
    validator,
    identity,
    now: options.now ?? (() => new Date()),
    render,
    announce,
  });
  const backlog = createRenderBacklog({ store, meta: createMetaStore(orm), render, onError: options.onRenderError });
  const ingest = createIngesting({ store, announce, stored: backlog.kick });
  const files = createFileStore(orm);
  const clock = options.now ?? (() => new Date());

  /** Files uploaded for a draft are served once an item naming them is published. */
  async function publishFiles(results: readonly WriteResult[]): Promise<void> {
    const named = results.flatMap((r) => (r.ok ? referencedFiles(r.item.document, identity.origin) : []));
    await files.markPublished(named, clock().toISOString());
  }
  async function createMany(inputs: readonly unknown[], context: WriteContext): Promise<WriteResult[]> {
    const results = await publishing.createMany(inputs, context);
    await publishFiles(results);
    return results;
  }

  return {
    async create(input, context) {
      const [result] = await createMany([input], context);
      return result!;
    },

    createMany,
    async update(id, input, context) {
      const result = await publishing.update(id, input, context);
      await publishFiles([result]);
      return result;
    },
    remove: publishing.remove,
    ingest,

    async get(id, version) {
      const found = await store.get(id, version);
      if (!found) return null;
      if (found.version.html === "" && !(found.item.deleted && found.version.version === found.item.version)) {
        // A peer's version the render backlog has not reached yet (just ingested, or stored by
        // an older node, which rendered on first read): rendered for this read, never written.
        found.version.html = JSON.stringify(
          await render(JSON.parse(found.version.document) as Record<string, unknown>),
        );
      }
      return toStored(found.item, found.version);
    },

    async getMany(ids) {
      const found = await store.getMany(ids);
      return new Map([...found].map(([id, r]) => [id, toStored(r.item, r.version)]));
    },

    async list(opts = {}) {
      const limit = Math.min(Math.max(opts.limit ?? 20, 0), MAX_LIMIT);
      const offset = Math.max(opts.offset ?? 0, 0);
      const { total, rows } = await store.list({
        type: opts.type,
        city: opts.city,
        origin: opts.origin,
        local: opts.local,
        verified: opts.verified,
        ...(opts.case !== undefined ? { linksTo: { target: opts.case, rel: "case" } } : {}),
        limit,
        offset,
      });
      return {
        total,
        items: rows.map((r) => ({
          id: r.id,
          type: r.type,
          title: r.title,
          city: r.city,
          origin: r.origin,
          local: r.local,
          verified: r.verified,
          version: r.version,
          updated: r.updated,
          language: r.language,
        })),
      };
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async purgeOrigin(origin) {
      if (origin === identity.origin) throw new TypeError("purgeOrigin() never removes the node's own items");
      const gone = await store.purgeOrigin(origin);
      announce(gone.map((r) => ({ kind: "deleted" as const, id: r.id, version: r.version })));
      return gone.length;
    },

    countByOrigin() {
      return store.countByOrigin();
    },

    linkingTo(id, perType = 10) {
      return store.linkingTo(id, Math.min(Math.max(perType, 1), 50));
    },

    async *signedItems(scope) {
      for (let after = ""; ; ) {
        const page = await store.signedPage(after, SIGNED_PAGE, scope === "local");
        yield* page;
        if (page.length < SIGNED_PAGE) return;
        after = page.at(-1)!.id;
      }
    },

    renderPending: backlog.drain,
    holdRendering: backlog.hold,
    close: backlog.close,

    async versions(id) {
      const found = await store.versions(id);
      if (!found) return null;
      const { item } = found;
      return found.versions.map((r) => ({
        version: r.version,
        createdAt: r.createdAt,
        author: r.author,
        changed: JSON.parse(r.changed) as string[],
        jws: r.jws,
        deleted: item.deleted && r.version === item.version,
      }));
    },
  };
}
