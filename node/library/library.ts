import type { EntityManager } from "@mikro-orm/sqlite";
import type { Orm } from "../db/orm.ts";
import { Item, ItemVersion, type ItemRow, type ItemVersionRow } from "../db/entities.ts";
import { insertItemRows, insertVersionRows, selectItemsWithVersion, selectItemWithVersion } from "../db/queries.ts";
import type { KeyStore } from "../signing/keys.ts";
import canonicalize from "canonicalize";
import { signCanonicalPayload, type SigningKey } from "../signing/jws.ts";
import type { DocumentValidator, ValidationIssue } from "./validation.ts";
import { renderDocumentFields, type RenderedFields } from "./render.ts";
import { isValidSlug, slugForTitle } from "./slug.ts";

/** Who this node is: the city whose library it publishes. */
export interface NodeIdentity {
  /** Scheme, host and port the node is reached at, e.g. `https://exchange.seoul.go.kr`. */
  readonly origin: string;
  /** The city's short handle, e.g. `seoul`. */
  readonly city: string;
  /** The city's display name, e.g. `Seoul Metropolitan Government`. */
  readonly name: string;
  /** ISO 3166-1 alpha-2 country code of the city. */
  readonly country: string;
  /** The city actor's URL, which every local document is `attributedTo`. */
  readonly actorId: string;
}

/** Server-managed properties: set by the node, never taken from the client. */
export const MANAGED_FIELDS = ["id", "attributedTo", "published", "updated", "version"] as const;

/** A stored item at one version, as reads return it. */
export interface StoredItem {
  readonly id: string;
  readonly type: string;
  readonly origin: string;
  readonly local: boolean;
  readonly verified: boolean;
  readonly deleted: boolean;
  readonly version: number;
  readonly title: string;
  readonly city: string;
  readonly language: string;
  readonly published: string;
  readonly updated: string;
  readonly document: Record<string, unknown>;
  readonly jws: string;
  readonly html: RenderedFields;
  /** For a peer's item: who delivered this version, when, and the signing key. */
  readonly provenance: Provenance | null;
}

/** One entry of an item's version history. */
export interface VersionInfo {
  readonly version: number;
  readonly createdAt: string;
  readonly author: string;
  readonly changed: readonly string[];
  readonly jws: string;
  readonly deleted: boolean;
}

/** Outcome of a write: the stored item, or why nothing was stored. */
export type WriteResult =
  | { readonly ok: true; readonly item: StoredItem }
  | { readonly ok: false; readonly reason: "invalid"; readonly details: readonly ValidationIssue[] }
  | { readonly ok: false; readonly reason: "not-found" | "gone" | "not-local" }
  | { readonly ok: false; readonly reason: "conflict"; readonly currentVersion: number };

/** What changed in the library, announced after the change is committed. */
export type LibraryChange =
  | { readonly kind: "stored"; readonly item: StoredItem }
  | { readonly kind: "deleted"; readonly id: string; readonly version: number };

/** Filters and paging of {@link Library.list}. */
export interface ListOptions {
  readonly type?: string;
  readonly city?: string;
  /** Only items from this origin (scheme, host and port). */
  readonly origin?: string;
  readonly local?: boolean;
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

/** Who makes a change, recorded in the version history. */
export interface WriteContext {
  readonly author: string;
  /** Fixed URL path segment for a new item (seeds); random from the title otherwise. */
  readonly slug?: string;
}

/** The library service: validate → canonicalize → sign → store → render. */
export interface Library {
  /** Publishes a new local item from a document without `id`. */
  create(input: unknown, context: WriteContext): Promise<WriteResult>;
  /** Publishes many new local items: the valid ones in one transaction, each invalid one reported. */
  createMany(inputs: readonly unknown[], context: WriteContext): Promise<WriteResult[]>;
  /** Stores a new signed version of a local item; `expectedVersion` guards lost updates. */
  update(id: string, input: unknown, context: WriteContext & { readonly expectedVersion?: number }): Promise<WriteResult>;
  /** Deletes a local item: its last version becomes a signed Tombstone. */
  remove(id: string, context: WriteContext & { readonly expectedVersion?: number }): Promise<WriteResult>;
  /** An item at its current (or a given) version, deleted ones included; null if unknown. */
  get(id: string, version?: number): Promise<StoredItem | null>;
  /** Live items, newest first. */
  list(options?: ListOptions): Promise<{ total: number; items: ListedItem[] }>;
  /** An item's version history, newest first; null if unknown. */
  versions(id: string): Promise<VersionInfo[] | null>;
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
  /** Removes every item that came from `origin` (a blocked peer); returns how many. */
  purgeOrigin(origin: string): Promise<number>;
  /** How many live items each peer origin has here. */
  countByOrigin(): Promise<Record<string, number>>;
}

/** Where a peer's version came from, kept with it. */
export interface Provenance {
  /** The actor that delivered it (the origin city, or a relaying peer). */
  readonly via: string;
  readonly receivedAt: string;
  /** The origin's key that signed it. */
  readonly kid: string;
}

/** A verified peer document and its signature. */
export interface IngestInput {
  readonly document: Record<string, unknown>;
  readonly jws: string;
  readonly origin: string;
  readonly provenance: Provenance;
}

/** Outcome of {@link Library.ingest}. */
export type IngestResult =
  | { readonly ok: true; readonly status: "stored" | "deleted" | "unchanged" }
  | { readonly ok: false; readonly reason: "stale" | "conflict" | "local"; readonly heldVersion: number };

/** Options of {@link createLibrary}. */
export interface LibraryOptions {
  readonly orm: Orm;
  readonly keys: KeyStore;
  readonly validator: DocumentValidator;
  readonly identity: NodeIdentity;
  /** Clock for timestamps (tests); defaults to the system clock. */
  readonly now?: () => Date;
  /** Renders Markdown fields, e.g. on a worker thread; defaults to rendering in-thread. */
  readonly render?: (document: Record<string, unknown>) => Promise<RenderedFields>;
}

interface Prepared {
  readonly document: Record<string, unknown>;
  /** RFC 8785 text of the document: what is signed, and what is stored. */
  canonical?: string;
  html?: RenderedFields;
  jws?: string;
}

const MAX_LIMIT = 500;
const encoder = new TextEncoder();

/** Canonicalizes once, signs those bytes, and keeps the text for storage. */
async function sign(p: Prepared, signer: SigningKey): Promise<void> {
  p.canonical = canonicalize(p.document) as string;
  p.jws = await signCanonicalPayload(encoder.encode(p.canonical), signer);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function itemPath(origin: string, slug: string): string {
  return `${origin}/items/${slug}`;
}

/** Top-level properties whose values differ between two versions. */
function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const out: string[] = [];
  for (const key of keys) {
    if (key === "updated" || key === "version") continue;
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) out.push(key);
  }
  return out.sort();
}

/** An ISO timestamp strictly after `previous`, so versions never share an `updated`. */
function laterThan(now: Date, previous: string | undefined): string {
  const prev = previous ? Date.parse(previous) : Number.NaN;
  const t = Number.isFinite(prev) && now.getTime() <= prev ? prev + 1 : now.getTime();
  return new Date(t).toISOString();
}

/** A stored item from its head row and one version row. */
export function toStored(item: ItemRow, version: ItemVersionRow): StoredItem {
  return {
    id: item.id,
    type: item.type,
    origin: item.origin,
    local: item.local,
    verified: item.verified,
    deleted: item.deleted && version.version === item.version,
    version: version.version,
    title: item.title,
    city: item.city,
    language: item.language,
    published: item.published,
    updated: version.version === item.version ? item.updated : ((JSON.parse(version.document) as { updated?: string }).updated ?? item.updated),
    document: JSON.parse(version.document) as Record<string, unknown>,
    jws: version.jws,
    html: version.html === "" ? {} : (JSON.parse(version.html) as RenderedFields),
    provenance: item.local || !version.provenance || version.provenance === "{}" ? null : (JSON.parse(version.provenance) as Provenance),
  };
}

/** Creates the library service over the node's store and keys. */
export function createLibrary(options: LibraryOptions): Library {
  const { orm, keys, validator, identity } = options;
  const now = options.now ?? (() => new Date());
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

  /** Fills the managed fields and defaults, then validates; nothing is signed yet. */
  function prepare(
    input: unknown,
    managed: { id: string; published: string; updated: string; version: number },
  ): { ok: true; prepared: Prepared } | { ok: false; details: ValidationIssue[] } {
    if (!isPlainObject(input)) return { ok: false, details: [{ path: "", message: "must be a JSON object" }] };
    const rest: Record<string, unknown> = { ...input };
    for (const field of MANAGED_FIELDS) delete rest[field];
    const document: Record<string, unknown> = {
      id: managed.id,
      type: rest.type,
      attributedTo: identity.actorId,
      published: managed.published,
      updated: managed.updated,
      version: managed.version,
      ...rest,
    };
    if (document.city === undefined) document.city = identity.name;
    if (document.country === undefined) document.country = identity.country;
    const result = validator.validate(document);
    if (!result.ok) return { ok: false, details: [...result.details] };
    return { ok: true, prepared: { document } };
  }

  function rowsFor(p: Prepared, local: boolean, author: string, changed: string[], createdAt: string, origin = identity.origin) {
    const d = p.document;
    const item: ItemRow = {
      id: d.id as string,
      type: d.type as string,
      origin,
      local,
      version: d.version as number,
      title: d.title as string,
      city: d.city as string,
      language: d.language as string,
      published: d.published as string,
      updated: d.updated as string,
      deleted: false,
      verified: true,
      createdAt,
    };
    const version: ItemVersionRow = {
      itemId: item.id,
      version: item.version,
      document: p.canonical ?? JSON.stringify(d),
      jws: p.jws as string,
      html: JSON.stringify(p.html ?? {}),
      author,
      changed: JSON.stringify(changed),
      createdAt,
    };
    return { item, version };
  }

  async function createMany(inputs: readonly unknown[], context: WriteContext): Promise<WriteResult[]> {
    if (context.slug !== undefined && (inputs.length !== 1 || !isValidSlug(context.slug))) {
      throw new TypeError("createMany() takes a valid slug only for a single item");
    }
    const stamp = now().toISOString();
    const results: WriteResult[] = [];
    const ready: Prepared[] = [];
    const signer = await keys.current();
    const signing: Promise<unknown>[] = [];
    for (const input of inputs) {
      if (isPlainObject(input) && input.id !== undefined) {
        results.push({ ok: false, reason: "invalid", details: [{ path: "/id", message: "is assigned by the node: leave it out when creating an item" }] });
        continue;
      }
      const title = isPlainObject(input) && typeof input.title === "string" ? input.title : "";
      const id = itemPath(identity.origin, context.slug ?? slugForTitle(title));
      const result = prepare(input, { id, published: stamp, updated: stamp, version: 1 });
      if (!result.ok) {
        results.push({ ok: false, reason: "invalid", details: result.details });
        continue;
      }
      const p = result.prepared;
      // Signing runs on libuv's thread pool and rendering on the render worker (when given):
      // both proceed while this thread validates the rest of the batch.
      signing.push(sign(p, signer), render(p.document).then((html) => (p.html = html)));
      ready.push(p);
      results.push({ ok: true, item: undefined as unknown as StoredItem });
    }
    await Promise.all(signing);
    if (ready.length === 0) return results;
    const rows = ready.map((p) => rowsFor(p, true, context.author, [], stamp));
    await orm.em.fork().transactional(async (em) => {
      await insertItemRows(em, rows.map((r) => r.item));
      await insertVersionRows(em, rows.map((r) => r.version));
    });
    let i = 0;
    const out: WriteResult[] = results.map((r) => {
      if (!r.ok) return r;
      const row = rows[i++]!;
      return { ok: true, item: toStored(row.item, row.version) };
    });
    announce(out.flatMap((r) => (r.ok ? [{ kind: "stored" as const, item: r.item }] : [])));
    return out;
  }

  /** Writes a new version of a local item inside one transaction, guarding against a concurrent writer. */
  async function writeVersion(
    id: string,
    context: WriteContext & { readonly expectedVersion?: number },
    build: (current: StoredItem, stamp: string) => { ok: true; prepared: Prepared; deleted: boolean } | { ok: false; details: ValidationIssue[] },
  ): Promise<WriteResult> {
    const em = orm.em.fork();
    const found = await selectItemWithVersion(em, id);
    if (!found) return { ok: false, reason: "not-found" };
    if (!found.item.local) return { ok: false, reason: "not-local" };
    if (found.item.deleted) return { ok: false, reason: "gone" };
    if (context.expectedVersion !== undefined && context.expectedVersion !== found.item.version) {
      return { ok: false, reason: "conflict", currentVersion: found.item.version };
    }
    const current = toStored(found.item, found.version);
    const stamp = laterThan(now(), current.updated);
    const built = build(current, stamp);
    if (!built.ok) return { ok: false, reason: "invalid", details: built.details };
    const { prepared, deleted } = built;
    await Promise.all([sign(prepared, await keys.current()), deleted ? undefined : render(prepared.document).then((html) => (prepared.html = html))]);
    const rows = rowsFor(prepared, true, context.author, changedFields(current.document, prepared.document), stamp);
    if (deleted) {
      rows.item.deleted = true;
      rows.item.title = current.title;
      rows.item.city = current.city;
      rows.item.language = current.language;
      rows.item.type = current.type;
    }
    const committed = await em.transactional(async (tem) => {
      // Only the writer that still sees the version it read may move the head.
      const moved = await tem.nativeUpdate(Item, { id, version: current.version, deleted: false }, {
        version: rows.item.version,
        title: rows.item.title,
        city: rows.item.city,
        language: rows.item.language,
        updated: rows.item.updated,
        deleted: rows.item.deleted,
      });
      if (moved !== 1) return false;
      await insertVersionRows(tem, [rows.version]);
      return true;
    });
    if (!committed) {
      const head = await orm.em.fork().findOne(Item, { id });
      return { ok: false, reason: "conflict", currentVersion: head?.version ?? current.version };
    }
    const stored = toStored(rows.item, rows.version);
    announce([deleted ? { kind: "deleted", id, version: stored.version } : { kind: "stored", item: stored }]);
    return { ok: true, item: stored };
  }

  // --- peers' versions: group commit. Deliveries that arrive together share one
  // transaction (one fsync), which is what makes ingest fast; a lone delivery still
  // commits at once. Batches run one at a time, so head-version guards never race.
  const ingestQueue: { input: IngestInput; resolve: (r: IngestResult) => void; reject: (e: unknown) => void }[] = [];
  let ingestRunning = false;

  async function runIngest(): Promise<void> {
    ingestRunning = true;
    try {
      while (ingestQueue.length > 0) {
        await new Promise((r) => setImmediate(r));
        const batch = ingestQueue.splice(0, 500);
        try {
          const results = await ingestBatch(batch.map((b) => b.input));
          batch.forEach((b, i) => b.resolve(results[i]!));
        } catch (error) {
          for (const b of batch) b.reject(error);
        }
      }
    } finally {
      ingestRunning = false;
    }
  }

  async function ingestBatch(inputs: readonly IngestInput[]): Promise<IngestResult[]> {
    const em = orm.em.fork();
    const held = await selectItemsWithVersion(em, [...new Set(inputs.map((i) => i.document.id as string))]);
    // The state of each touched item as this batch goes: DB head first, then our own writes.
    const current = new Map<string, { item: ItemRow; document: string; dbVersion: number | null }>();
    for (const [id, h] of held) current.set(id, { item: h.item, document: h.version.document, dbVersion: h.item.version });
    const versions: ItemVersionRow[] = [];
    const changes: LibraryChange[] = [];
    const results: IngestResult[] = [];
    for (const { document, jws, origin, provenance } of inputs) {
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
        results.push(now.document === canonical ? { ok: true, status: "unchanged" } : { ok: false, reason: "conflict", heldVersion: now.item.version });
        continue;
      }
      const deleted = document.type === "Tombstone";
      // Peers' Markdown is rendered on first read, not here (html "" = not yet rendered).
      const rows = rowsFor({ document, canonical, jws }, false, `via:${provenance.via}`, now ? changedFields(JSON.parse(now.document) as Record<string, unknown>, document) : [], provenance.receivedAt, origin);
      rows.version.html = "";
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
      versions.push(rows.version);
      changes.push(deleted ? { kind: "deleted", id, version } : { kind: "stored", item: toStored(rows.item, rows.version) });
      results.push({ ok: true, status: deleted ? "deleted" : "stored" });
    }
    if (versions.length === 0) return results;
    const touched = new Set(versions.map((v) => v.itemId));
    await em.transactional(async (tem) => {
      const fresh: ItemRow[] = [];
      for (const id of touched) {
        const state = current.get(id)!;
        if (state.dbVersion === null) {
          fresh.push(state.item);
          continue;
        }
        const moved = await tem.nativeUpdate(Item, { id, version: state.dbVersion }, {
          version: state.item.version,
          type: state.item.type,
          title: state.item.title,
          city: state.item.city,
          language: state.item.language,
          updated: state.item.updated,
          deleted: state.item.deleted,
        });
        if (moved !== 1) throw new Error(`item ${id} moved during an ingest batch`);
      }
      await insertItemRows(tem, fresh);
      await insertVersionRows(tem, versions);
    });
    announce(changes);
    return results;
  }

  return {
    async create(input, context) {
      const [result] = await createMany([input], context);
      return result!;
    },

    createMany,

    update(id, input, context) {
      return writeVersion(id, context, (current, stamp) => {
        if (isPlainObject(input) && input.id !== undefined && input.id !== id) {
          return { ok: false, details: [{ path: "/id", message: `must be ${id} (the item being updated) or left out` }] };
        }
        if (isPlainObject(input) && input.type !== undefined && input.type !== current.type) {
          return { ok: false, details: [{ path: "/type", message: `cannot change from ${current.type}; publish a new item instead` }] };
        }
        const result = prepare(input, { id, published: current.published, updated: stamp, version: current.version + 1 });
        return result.ok ? { ok: true, prepared: result.prepared, deleted: false } : result;
      });
    },

    remove(id, context) {
      return writeVersion(id, context, (current, stamp) => {
        const tombstone: Record<string, unknown> = {
          id,
          type: "Tombstone",
          formerType: current.type,
          attributedTo: identity.actorId,
          published: current.published,
          updated: stamp,
          deleted: stamp,
          version: current.version + 1,
        };
        return { ok: true, prepared: { document: tombstone }, deleted: true };
      });
    },

    async get(id, version) {
      const em = orm.em.fork();
      const found = await selectItemWithVersion(em, id, version);
      if (!found) return null;
      if (found.version.html === "" && !(found.item.deleted && found.version.version === found.item.version)) {
        // A peer's version is rendered the first time someone reads it, then kept.
        found.version.html = JSON.stringify(renderDocumentFields(JSON.parse(found.version.document) as Record<string, unknown>));
        await em.getKnex().raw("update item_versions set html = ? where item_id = ? and version = ? and html = ''", [found.version.html, id, found.version.version]);
      }
      return toStored(found.item, found.version);
    },

    async list(opts = {}) {
      const where: Record<string, unknown> = { deleted: false };
      if (opts.type !== undefined) where.type = opts.type;
      if (opts.city !== undefined) where.city = opts.city;
      if (opts.origin !== undefined) where.origin = opts.origin;
      if (opts.local !== undefined) where.local = opts.local;
      const limit = Math.min(Math.max(opts.limit ?? 20, 0), MAX_LIMIT);
      const offset = Math.max(opts.offset ?? 0, 0);
      const em = orm.em.fork();
      const [rows, total] = await em.findAndCount(Item, where, { orderBy: { updated: "desc", id: "asc" }, limit, offset });
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

    ingest(input) {
      return new Promise<IngestResult>((resolve, reject) => {
        ingestQueue.push({ input, resolve, reject });
        if (!ingestRunning) void runIngest();
      });
    },

    async purgeOrigin(origin) {
      if (origin === identity.origin) throw new TypeError("purgeOrigin() never removes the node's own items");
      const em = orm.em.fork();
      const ids = (await em.find(Item, { origin, local: false }, { fields: ["id", "version"] })).map((r) => ({ id: r.id, version: r.version }));
      if (ids.length === 0) return 0;
      await em.transactional(async (tem) => {
        // item_versions rows go with their item (foreign key on delete cascade).
        await tem.nativeDelete(Item, { origin, local: false });
      });
      announce(ids.map((r) => ({ kind: "deleted" as const, id: r.id, version: r.version })));
      return ids.length;
    },

    async countByOrigin() {
      const rows = (await orm.em.fork().getKnex().raw("select origin, count(*) as n from items where deleted = 0 and local = 0 group by origin")) as { origin: string; n: number }[];
      return Object.fromEntries(rows.map((r) => [r.origin, Number(r.n)]));
    },

    async versions(id) {
      const em = orm.em.fork();
      const item = await em.findOne(Item, { id });
      if (!item) return null;
      const rows = await em.find(ItemVersion, { itemId: id }, { orderBy: { version: "desc" } });
      return rows.map((r) => ({
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
