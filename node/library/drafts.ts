import { randomBytes } from "node:crypto";
import type { DraftRow, DraftStore } from "../db/draft-store.ts";
import { checkJsonBounds } from "../net/json-bounds.ts";
import { DOCUMENT_TYPES } from "../../schemas/catalogue.ts";
import { MANAGED_FIELDS, type WriteResult } from "./model.ts";
import type { Library } from "./library.ts";

// Drafts: an official's half-written item, kept private, unsigned and unfederated until it
// is published. A draft is not validated against its schema (that is what lets a half-filled
// form be kept), but it is bounded in size and shape and holds only plain JSON text, stripped
// of control characters; it is shown only through the escaping templates. Only the official
// who made a draft and the node's admins may see, change, publish or discard it.

/** Who acts on a draft. */
export interface DraftActor {
  readonly username: string;
  readonly name: string;
  readonly role: string;
}

/** A draft as the pages use it. */
export interface Draft {
  readonly id: string;
  readonly type: string;
  readonly title: string;
  /** The published item these are pending edits of; null for a new item. */
  readonly itemId: string | null;
  readonly baseVersion: number | null;
  readonly document: Record<string, unknown>;
  readonly owner: string;
  readonly ownerName: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Outcome of saving a draft. */
export type DraftSaveResult =
  | { readonly ok: true; readonly draft: Draft }
  | { readonly ok: false; readonly reason: "too-large" | "bad-shape" | "not-found"; readonly message: string };

/** Outcome of publishing a draft: the library's, or the draft is not there (for this actor). */
export type DraftPublishResult = WriteResult | { readonly ok: false; readonly reason: "no-draft" };

/** Options of {@link createDrafts}. */
export interface DraftsOptions {
  readonly store: DraftStore;
  readonly library: Pick<Library, "create" | "update">;
  /** Largest draft, as JSON text in bytes (default 512 KiB). */
  readonly maxBytes?: number;
  readonly now?: () => Date;
}

/** The drafts service. */
export interface Drafts {
  /** Saves a new draft: of a new item, or (with `itemId`) pending edits of a published one. */
  create(
    input: {
      readonly type: string;
      readonly document: unknown;
      readonly itemId?: string;
      readonly baseVersion?: number;
    },
    actor: DraftActor,
  ): Promise<DraftSaveResult>;
  /** Replaces a draft's document. */
  update(id: string, document: unknown, actor: DraftActor): Promise<DraftSaveResult>;
  /** A draft the actor may see; null when there is none or it is someone else's (for an editor). */
  get(id: string, actor: DraftActor): Promise<Draft | null>;
  /** The actor's own drafts, or every draft of the node for an admin; newest first. */
  list(actor: DraftActor): Promise<Draft[]>;
  /** Removes a draft; false when the actor has no such draft. */
  discard(id: string, actor: DraftActor): Promise<boolean>;
  /**
   * Publishes a draft through the library (full validation, signing, index, federation);
   * the draft is removed once the item is published, and kept when publishing fails.
   */
  publish(id: string, actor: DraftActor, options?: { readonly expectedVersion?: number }): Promise<DraftPublishResult>;
}

const MAX_DRAFTS_LISTED = 200;
const TITLE_MAX = 300;

/** Strings without C0 controls other than tab and newline; CR LF becomes LF. */
function cleanStrings(value: unknown): unknown {
  if (typeof value === "string") return value.replace(/\r\n?/g, "\n").replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, "");
  if (Array.isArray(value)) return value.map(cleanStrings);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cleanStrings(v)]));
  return value;
}

function toDraft(row: DraftRow): Draft {
  return { ...row, document: JSON.parse(row.document) as Record<string, unknown> };
}

function mayUse(row: DraftRow, actor: DraftActor): boolean {
  return row.owner === actor.username || actor.role === "admin";
}

/** The drafts service over its store and the library it publishes through. */
export function createDrafts(options: DraftsOptions): Drafts {
  const { store, library } = options;
  const maxBytes = options.maxBytes ?? 512 * 1024;
  const now = options.now ?? (() => new Date());

  /** The document a draft may hold, or why not. */
  function prepare(
    type: string,
    input: unknown,
  ):
    | { ok: true; document: Record<string, unknown>; text: string; title: string }
    | Extract<DraftSaveResult, { ok: false }> {
    if (!input || typeof input !== "object" || Array.isArray(input))
      return { ok: false, reason: "bad-shape", message: "a draft is a JSON object" };
    const shape = checkJsonBounds(input, { maxDepth: 8, maxNodes: 20_000, maxKeys: 200 });
    if (shape) return { ok: false, reason: "bad-shape", message: shape };
    const document = cleanStrings({ ...(input as Record<string, unknown>) }) as Record<string, unknown>;
    for (const field of MANAGED_FIELDS) delete document[field];
    document.type = type;
    const text = JSON.stringify(document);
    if (Buffer.byteLength(text) > maxBytes)
      return { ok: false, reason: "too-large", message: `a draft holds at most ${maxBytes} bytes` };
    const title = typeof document.title === "string" ? document.title.trim().slice(0, TITLE_MAX) : "";
    return { ok: true, document, text, title };
  }

  async function own(id: string, actor: DraftActor): Promise<DraftRow | null> {
    const row = await store.get(id);
    return row && mayUse(row, actor) ? row : null;
  }

  return {
    async create(input, actor) {
      if (!(DOCUMENT_TYPES as readonly string[]).includes(input.type))
        return { ok: false, reason: "bad-shape", message: `unknown type ${input.type}` };
      const p = prepare(input.type, input.document);
      if (!p.ok) return p;
      const stamp = now().toISOString();
      const row: DraftRow = {
        id: `d-${randomBytes(12).toString("hex")}`,
        type: input.type,
        title: p.title,
        itemId: input.itemId ?? null,
        baseVersion: input.itemId === undefined ? null : (input.baseVersion ?? null),
        document: p.text,
        owner: actor.username,
        ownerName: actor.name,
        createdAt: stamp,
        updatedAt: stamp,
      };
      await store.insert(row);
      return { ok: true, draft: toDraft(row) };
    },

    async update(id, document, actor) {
      const row = await own(id, actor);
      if (!row) return { ok: false, reason: "not-found", message: "no such draft" };
      const p = prepare(row.type, document);
      if (!p.ok) return p;
      const updatedAt = now().toISOString();
      if (!(await store.update(id, { title: p.title, document: p.text, updatedAt })))
        return { ok: false, reason: "not-found", message: "no such draft" };
      return { ok: true, draft: toDraft({ ...row, title: p.title, document: p.text, updatedAt }) };
    },

    async get(id, actor) {
      const row = await own(id, actor);
      return row ? toDraft(row) : null;
    },

    async list(actor) {
      const rows = await store.list(actor.role === "admin" ? undefined : actor.username, MAX_DRAFTS_LISTED);
      return rows.map(toDraft);
    },

    async discard(id, actor) {
      const row = await own(id, actor);
      return row ? store.remove(id) : false;
    },

    async publish(id, actor, opts = {}) {
      const row = await own(id, actor);
      if (!row) return { ok: false, reason: "no-draft" };
      const document = JSON.parse(row.document) as Record<string, unknown>;
      const result = row.itemId
        ? await library.update(row.itemId, document, { author: actor.name, expectedVersion: opts.expectedVersion })
        : await library.create(document, { author: actor.name });
      if (result.ok) await store.remove(id);
      return result;
    },
  };
}
