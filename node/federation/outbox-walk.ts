import { linkHref } from "./vocab.ts";
import { classifyContactError, limitFailure, type ContactFailure } from "./contact-errors.ts";

// What a backfill's walk reads in a peer's outbox: the shapes it accepts, the links it
// follows, and the errors that end a run (named in the peer's lastError).

/** Longest page link followed: the visited set and the stored cursor hold these. */
const MAX_PAGE_URL_LENGTH = 2_048;

/** A backfill run reached one of its bounds: ends the run and holds the peer back. */
export class BackfillLimitError extends Error {
  override name = "BackfillLimitError";
  constructor(
    message: string,
    readonly limit: "loop" | "pages" | "items" | "entries-per-page" | "link",
  ) {
    super(message);
  }
}

/** A document the walk read is not what an outbox holds: says so in the peer's `lastError`. */
export class OutboxShapeError extends Error {
  override name = "OutboxShapeError";
  constructor(
    message: string,
    readonly kind: "not-collection" | "not-json" | "other",
  ) {
    super(message);
  }
}

const COLLECTION_TYPES = new Set([
  "OrderedCollection",
  "Collection",
  "as:OrderedCollection",
  "as:Collection",
  "https://www.w3.org/ns/activitystreams#OrderedCollection",
  "https://www.w3.org/ns/activitystreams#Collection",
]);

/** Activity types an outbox lists that carry no item of their own (an entry of another type may be an item). */
export const ACTIVITY_TYPES = new Set([
  "Announce",
  "Like",
  "Follow",
  "Accept",
  "Reject",
  "Undo",
  "Add",
  "Remove",
  "Block",
  "Move",
]);

/** Whether a JSON-LD `type` (a string or an array of them) names an ActivityStreams collection. */
export function isCollectionType(type: unknown): boolean {
  return (Array.isArray(type) ? type : [type]).some((t) => typeof t === "string" && COLLECTION_TYPES.has(t));
}

/** What the peer's `lastError` says about a failed run. */
export function failureOf(error: unknown): ContactFailure {
  if (error instanceof BackfillLimitError) return limitFailure(error.message);
  if (error instanceof OutboxShapeError)
    return error.kind === "other" ? { kind: "other", detail: error.message } : { kind: error.kind };
  return classifyContactError(error);
}

/** The key of a page URL in a run's visited set (fragments name the same document). */
export function pageKey(url: URL): string {
  const key = new URL(url);
  key.hash = "";
  return key.href;
}

/** The URL a link property holds (a string, or an object with an `id`), or null. */
export function linkOf(value: unknown): URL | null {
  const href = linkHref(value);
  if (href === null) return null;
  if (href.length > MAX_PAGE_URL_LENGTH)
    throw new BackfillLimitError(`an outbox link is longer than ${MAX_PAGE_URL_LENGTH} characters`, "link");
  return URL.canParse(href) ? new URL(href) : null;
}
