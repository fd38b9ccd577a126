import { Document, type Object as APObject } from "@fedify/fedify/vocab";

// How a signed item travels: its document and detached JWS as one JSON string, carried
// in an ActivityStreams Document attachment of this media type (a standard property, so
// it survives Fedify's parsing and re-serialization byte for byte), or as the API's own
// `{document, jws}` answer. Building and reading that envelope happens here only.

/** Media type of the ActivityStreams attachment that carries an item's signed document. */
export const SIGNED_ITEM_MEDIA_TYPE = "application/vnd.wego.signed-item+json";

/** Longest signed envelope accepted from a peer (document + JWS as JSON text), in characters. */
export const MAX_SIGNED_ITEM_LENGTH = 1_500_000;

/** A document and its detached JWS, as carried inside an object. */
export interface SignedDocument {
  readonly document: Record<string, unknown>;
  readonly jws: string;
}

/** The signed document a carrier holds, or the reason it holds none. */
export type SignedItemReading =
  | { readonly ok: true; readonly signed: SignedDocument }
  | { readonly ok: false; readonly reason: string };

const NONE: SignedItemReading = { ok: false, reason: "the object carries no signed document" };

/** The attachment that carries a signed document in an Article or a Tombstone. */
export function toSignedItemAttachment(signed: SignedDocument): Document {
  return new Document({
    name: "WeGO Exchange signed document (JWS, RFC 8785 canonical JSON payload)",
    mediaType: SIGNED_ITEM_MEDIA_TYPE,
    content: JSON.stringify({ document: signed.document, jws: signed.jws }),
  });
}

/** `{document, jws}` when `value` has that shape. */
function envelopeOf(value: unknown): SignedItemReading {
  const { document, jws } = (value ?? {}) as { document?: unknown; jws?: unknown };
  if (!document || typeof document !== "object" || Array.isArray(document) || typeof jws !== "string") {
    return { ok: false, reason: "the signed document lacks document or jws" };
  }
  return { ok: true, signed: { document: document as Record<string, unknown>, jws } };
}

/** Reads an attachment's content: bounded in length, JSON, `{document, jws}`. */
function envelopeOfContent(content: unknown): SignedItemReading {
  if (typeof content !== "string") return NONE;
  if (content.length > MAX_SIGNED_ITEM_LENGTH) return { ok: false, reason: "the signed document is too large" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return { ok: false, reason: "the signed document is not JSON" };
  }
  return envelopeOf(parsed);
}

/**
 * The signed document a Fedify object carries in its attachment. Reads only what the
 * object holds: never fetches anything.
 */
export async function readSignedItemOfObject(object: APObject): Promise<SignedItemReading> {
  // A loader that refuses: an attachment given only as a URL is never fetched.
  const refuse = () => Promise.reject(new Error("attachments are not fetched"));
  for await (const attachment of object.getAttachments({
    suppressError: true,
    documentLoader: refuse,
    contextLoader: refuse,
  })) {
    if (attachment instanceof Document && attachment.mediaType === SIGNED_ITEM_MEDIA_TYPE)
      return envelopeOfContent(attachment.content);
  }
  return NONE;
}

/**
 * The signed document in plain (unprocessed) JSON: the API's `{document, jws}`, or an
 * ActivityStreams object whose attachment carries it (an outbox page, an item's URL).
 */
export function readSignedItemOfJson(json: unknown): SignedItemReading {
  const candidate = json as { document?: unknown; attachment?: unknown } | null;
  if (!candidate || typeof candidate !== "object") return NONE;
  if (candidate.document === undefined) {
    if (candidate.attachment === undefined) return NONE;
    const attachments = Array.isArray(candidate.attachment) ? candidate.attachment : [candidate.attachment];
    const found = attachments.find(
      (a) => a && typeof a === "object" && (a as { mediaType?: unknown }).mediaType === SIGNED_ITEM_MEDIA_TYPE,
    ) as { content?: unknown } | undefined;
    return envelopeOfContent(found?.content);
  }
  return envelopeOf(candidate);
}
