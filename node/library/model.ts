import type { RenderedFields } from "../render/document-fields.ts";
import type { ValidationIssue } from "./validation.ts";

// The values the library hands out and takes in; library.ts is their public face.

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

/** Where a peer's version came from, kept with it. */
export interface Provenance {
  /** The actor that delivered it (the origin city, or a relaying peer). */
  readonly via: string;
  readonly receivedAt: string;
  /** The origin's key that signed it. */
  readonly kid: string;
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

/** Who makes a change, recorded in the version history. */
export interface WriteContext {
  readonly author: string;
  /** Fixed URL path segment for a new item (seeds); random from the title otherwise. */
  readonly slug?: string;
}

/** A verified peer document and its signature. */
export interface IngestInput {
  readonly document: Record<string, unknown>;
  readonly jws: string;
  readonly origin: string;
  readonly provenance: Provenance;
  /**
   * The RFC 8785 canonical JSON of `document` when the caller has it already (the payload
   * its signature check verified), so that it is not computed twice; else computed here.
   */
  readonly canonical?: string;
}

/** Outcome of `Library.ingest`. */
export type IngestResult =
  | { readonly ok: true; readonly status: "stored" | "deleted" | "unchanged" }
  | { readonly ok: false; readonly reason: "stale" | "conflict" | "local"; readonly heldVersion: number };

/** Renders a document's Markdown fields (on the render worker in a running node). */
export type RenderDocument = (document: Record<string, unknown>) => Promise<RenderedFields>;

/** Hands committed changes to the library's listeners. */
export type Announce = (changes: readonly LibraryChange[]) => void;
