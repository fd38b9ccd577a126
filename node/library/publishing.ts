import canonicalize from "canonicalize";
import type { ItemStore } from "../db/item-store.ts";
import type { KeyStore } from "../signing/keys.ts";
import { signCanonicalPayload, type SigningKey } from "../signing/jws.ts";
import type { NodeIdentity } from "./identity.ts";
import {
  MANAGED_FIELDS,
  type Announce,
  type RenderDocument,
  type StoredItem,
  type WriteContext,
  type WriteResult,
} from "./model.ts";
import { isValidSlug, slugForTitle } from "./slug.ts";
import { changedFields, rowsFor, toStored, type Prepared } from "./stored.ts";
import type { DocumentValidator, ValidationIssue } from "./validation.ts";

/** Options of {@link createPublishing}. */
export interface PublishingOptions {
  readonly store: ItemStore;
  readonly keys: KeyStore;
  readonly validator: DocumentValidator;
  readonly identity: NodeIdentity;
  readonly now: () => Date;
  readonly render: RenderDocument;
  readonly announce: Announce;
}

/** The node's own writes: validate → canonicalize → sign → render → store. */
export interface Publishing {
  /** Publishes many new local items: the valid ones in one transaction, each invalid one reported. */
  createMany(inputs: readonly unknown[], context: WriteContext): Promise<WriteResult[]>;
  /** Stores a new signed version of a local item; `expectedVersion` guards lost updates. */
  update(
    id: string,
    input: unknown,
    context: WriteContext & { readonly expectedVersion?: number },
  ): Promise<WriteResult>;
  /** Deletes a local item: its last version becomes a signed Tombstone. */
  remove(id: string, context: WriteContext & { readonly expectedVersion?: number }): Promise<WriteResult>;
}

type Built = { ok: true; prepared: Prepared; deleted: boolean } | { ok: false; details: ValidationIssue[] };

const encoder = new TextEncoder();

/** Canonicalizes once, signs those bytes, and keeps the text for storage. */
async function sign(p: Prepared, signer: SigningKey): Promise<void> {
  p.canonical = canonicalize(p.document) as string;
  p.jws = await signCanonicalPayload(encoder.encode(p.canonical), signer);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An ISO timestamp strictly after `previous`, so versions never share an `updated`. */
function laterThan(now: Date, previous: string | undefined): string {
  const prev = previous ? Date.parse(previous) : Number.NaN;
  const t = Number.isFinite(prev) && now.getTime() <= prev ? prev + 1 : now.getTime();
  return new Date(t).toISOString();
}

/** Publishing of local items over the item store. */
export function createPublishing(options: PublishingOptions): Publishing {
  const { store, keys, validator, identity, now, render, announce } = options;

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
        results.push({
          ok: false,
          reason: "invalid",
          details: [{ path: "/id", message: "is assigned by the node: leave it out when creating an item" }],
        });
        continue;
      }
      const title = isPlainObject(input) && typeof input.title === "string" ? input.title : "";
      const id = `${identity.origin}/items/${context.slug ?? slugForTitle(title)}`;
      const result = prepare(input, { id, published: stamp, updated: stamp, version: 1 });
      if (!result.ok) {
        results.push({ ok: false, reason: "invalid", details: result.details });
        continue;
      }
      const p = result.prepared;
      // Signing runs on libuv's thread pool and rendering on the render worker (when given):
      // both proceed while this thread validates the rest of the batch.
      signing.push(
        sign(p, signer),
        render(p.document).then((html) => (p.html = html)),
      );
      ready.push(p);
      results.push({ ok: true, item: undefined as unknown as StoredItem });
    }
    await Promise.all(signing);
    if (ready.length === 0) return results;
    const rows = ready.map((p) =>
      rowsFor(p, { local: true, author: context.author, changed: [], createdAt: stamp, origin: identity.origin }),
    );
    await store.insertNew(
      rows.map((r) => r.item),
      rows.map((r) => r.version),
    );
    let i = 0;
    const out: WriteResult[] = results.map((r) => {
      if (!r.ok) return r;
      const row = rows[i++]!;
      return { ok: true, item: toStored(row.item, row.version) };
    });
    announce(out.flatMap((r) => (r.ok ? [{ kind: "stored" as const, item: r.item }] : [])));
    return out;
  }

  /** Writes a new version of a local item, guarding against a concurrent writer. */
  async function writeVersion(
    id: string,
    context: WriteContext & { readonly expectedVersion?: number },
    build: (current: StoredItem, stamp: string) => Built,
  ): Promise<WriteResult> {
    const found = await store.get(id);
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
    await Promise.all([
      sign(prepared, await keys.current()),
      deleted ? undefined : render(prepared.document).then((html) => (prepared.html = html)),
    ]);
    const changed = changedFields(current.document, prepared.document);
    const rows = rowsFor(prepared, {
      local: true,
      author: context.author,
      changed,
      createdAt: stamp,
      origin: identity.origin,
    });
    if (deleted) {
      rows.item.deleted = true;
      rows.item.title = current.title;
      rows.item.city = current.city;
      rows.item.language = current.language;
      rows.item.type = current.type;
    }
    if (!(await store.appendVersion(rows.item, rows.version, current.version))) {
      const head = await store.head(id);
      return { ok: false, reason: "conflict", currentVersion: head?.version ?? current.version };
    }
    const stored = toStored(rows.item, rows.version);
    announce([deleted ? { kind: "deleted", id, version: stored.version } : { kind: "stored", item: stored }]);
    return { ok: true, item: stored };
  }

  return {
    createMany,

    update(id, input, context) {
      return writeVersion(id, context, (current, stamp) => {
        if (isPlainObject(input) && input.id !== undefined && input.id !== id) {
          return {
            ok: false,
            details: [{ path: "/id", message: `must be ${id} (the item being updated) or left out` }],
          };
        }
        if (isPlainObject(input) && input.type !== undefined && input.type !== current.type) {
          return {
            ok: false,
            details: [{ path: "/type", message: `cannot change from ${current.type}; publish a new item instead` }],
          };
        }
        const result = prepare(input, {
          id,
          published: current.published,
          updated: stamp,
          version: current.version + 1,
        });
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
  };
}
