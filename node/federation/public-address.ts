import type { MessageQueue } from "@fedify/fedify";

// Fedify 1.5.9 compacts the Public collection to "as:Public" in every document it writes.
// To a JSON-LD processor that is the same IRI, but software that compares strings (snac,
// and others) only knows the full URI, and takes an item addressed to "as:Public" for a
// direct message: no boost, not on public pages. So the JSON that leaves the node (queued
// deliveries, documents served) names the full URI in its audience fields.

/** The Public collection, as every implementation reads it. */
export const PUBLIC_URI = "https://www.w3.org/ns/activitystreams#Public";

const AUDIENCE_KEYS = new Set(["to", "cc", "bto", "bcc", "audience"]);
const SHORT_FORMS = new Set(["as:Public", "Public"]);
/** Nesting read at most: activities embed an object, which embeds little more. */
const MAX_DEPTH = 8;

function fullAudience(value: unknown): { value: unknown; changed: boolean } {
  if (typeof value === "string")
    return SHORT_FORMS.has(value) ? { value: PUBLIC_URI, changed: true } : { value, changed: false };
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = fullAudience(v);
      changed ||= r.changed;
      return r.value;
    });
    return { value: out, changed };
  }
  return { value, changed: false };
}

function rewrite(value: unknown, depth: number): { value: unknown; changed: boolean } {
  if (depth > MAX_DEPTH || !value || typeof value !== "object") return { value, changed: false };
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = rewrite(v, depth + 1);
      changed ||= r.changed;
      return r.value;
    });
    return changed ? { value: out, changed } : { value, changed: false };
  }
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    // The context says what "as:" means; its own "Public" term stays as it is.
    const r =
      key === "@context"
        ? { value: v, changed: false }
        : AUDIENCE_KEYS.has(key)
          ? fullAudience(v)
          : rewrite(v, depth + 1);
    changed ||= r.changed;
    out[key] = r.value;
  }
  return changed ? { value: out, changed } : { value, changed: false };
}

/**
 * The compact JSON-LD document with "as:Public" written as the full Public URI in `to`,
 * `cc`, `bto`, `bcc` and `audience`, at any depth (an activity and the object it embeds).
 * The RDF it means is unchanged (so Linked Data Signatures still verify); `changed` says
 * whether anything was rewritten.
 */
export function withFullPublicAddress<T>(document: T): { document: T; changed: boolean } {
  const r = rewrite(document, 0);
  return { document: r.value as T, changed: r.changed };
}

function rewriteMessage(message: unknown): unknown {
  const m = message as { type?: unknown; activity?: unknown } | null;
  if (m?.type !== "outbox" || !m.activity || typeof m.activity !== "object") return message;
  const { document, changed } = withFullPublicAddress(m.activity as Record<string, unknown>);
  if (!changed) return message;
  // An Object Integrity Proof (eddsa-jcs-2022) covers the JSON bytes as Fedify wrote them,
  // so it no longer matches: it goes, and the receiver relies on the HTTP signature (and
  // the RSA Linked Data Signature, which covers the RDF and still verifies).
  const { proof: _proof, ...activity } = document;
  return { ...m, activity };
}

/** Wraps Fedify's queue so that every delivery it enqueues names the full Public URI. */
export function addressPublicInFull(queue: MessageQueue): MessageQueue {
  const wrapped: MessageQueue = {
    enqueue: (message, options) => queue.enqueue(rewriteMessage(message), options),
    listen: (handler, options) => queue.listen(handler, options),
  };
  if (queue.enqueueMany)
    wrapped.enqueueMany = (messages, options) => queue.enqueueMany!(messages.map(rewriteMessage), options);
  return wrapped;
}
