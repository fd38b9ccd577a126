import type { Federation } from "@fedify/fedify";
import type { Middleware } from "koa";
import type { InboxDoor } from "./inbox-door.ts";
import { acceptsJsonLd, type OutboxPages } from "./outbox-pages.ts";
import { withFullPublicAddress } from "./public-address.ts";

const INBOX_PATH = /^\/(inbox|cities\/[^/]+\/inbox)$/;

/**
 * Hands ActivityPub requests (actor, inboxes, outbox, collections, WebFinger, NodeInfo,
 * items asked for as ActivityStreams) to Fedify; anything Fedify does not serve falls
 * through to the Koa routes (HTML pages, the JSON API). Mounted before any body parser.
 * Every POST to an inbox passes the {@link InboxDoor} first (size, shape, HTTP signature,
 * key ownership, host policy, rate); Fedify only sees what the door let through. Outbox
 * pages are answered from `outboxPages` when given (outbox-pages.ts).
 */
export function federationBridge(
  federation: Federation<void>,
  origin: string,
  door: InboxDoor,
  outboxPages?: OutboxPages,
): Middleware {
  return async (ctx, next) => {
    const isGet = ctx.method === "GET" || ctx.method === "HEAD";
    // Fedify only takes POSTs at inboxes; leave every other body for Koa's own parsers.
    if (!isGet && !(ctx.method === "POST" && INBOX_PATH.test(ctx.path))) return next();
    // Browsers asking for a page never need Fedify (it would only answer 406); the test
    // mirrors Fedify's own: HTML listed first.
    const firstAccepted = (ctx.get("accept").split(",")[0] ?? "").split(";")[0]!.trim().toLowerCase();
    if (isGet && (firstAccepted === "text/html" || firstAccepted === "application/xhtml+xml")) return next();
    // Ids are built from the configured origin, not from the Host header.
    const url = new URL(ctx.originalUrl, origin);
    // Outbox pages (a backfill's walk) come assembled from kept entries; anything the page
    // server declines (no cursor, a cursor it does not know) goes to Fedify as before.
    if (
      ctx.method === "GET" &&
      outboxPages &&
      url.searchParams.has("cursor") &&
      acceptsJsonLd(ctx.get("accept") || null)
    ) {
      const page = await outboxPages.page(url);
      if (page) {
        ctx.set("Content-Type", "application/activity+json");
        ctx.set("Vary", "Accept");
        ctx.body = page;
        return;
      }
    }
    const headers = new Headers();
    const raw = ctx.req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
    let body: Uint8Array | undefined;
    if (!isGet) {
      const decision = await door.check({ url, method: ctx.method, headers, body: ctx.req });
      if (!decision.ok) {
        if (decision.retryAfter) ctx.set("Retry-After", String(decision.retryAfter));
        // Close the connection rather than drain a body we refused to read.
        if (decision.status === 413) ctx.set("Connection", "close");
        ctx.status = decision.status;
        ctx.body = { error: decision.reason };
        return;
      }
      body = withoutEmbeddedSignatures(decision.body, decision.activity);
      headers.delete("content-length");
    }
    const request = new Request(url, { method: ctx.method, headers, body: body as BodyInit | undefined });
    let fallThrough = false;
    const response = await federation.fetch(request, {
      contextData: undefined,
      onNotFound: () => {
        fallThrough = true;
        return new Response(null, { status: 404 });
      },
      onNotAcceptable: () => {
        fallThrough = true;
        return new Response(null, { status: 406 });
      },
    });
    if (fallThrough) {
      // Fedify consumed nothing for routes it does not own; Koa serves them.
      await next();
      return;
    }
    ctx.status = response.status;
    response.headers.forEach((value, key) => ctx.set(key, value));
    // A Buffer body, even empty: Koa turns a null body into 204, which breaks 202 Accepted.
    const bytes = Buffer.from(await response.arrayBuffer());
    ctx.body = isGet && response.ok ? servedWithFullPublic(bytes, response.headers.get("content-type")) : bytes;
  };
}

/** A JSON-LD document Fedify serves (actor, item, outbox page) as every reader takes it. */
function servedWithFullPublic(bytes: Buffer, contentType: string | null): Buffer {
  if (!/^application\/(activity\+json|ld\+json|json)/i.test(contentType ?? "")) return bytes;
  try {
    const parsed = JSON.parse(bytes.toString("utf8")) as unknown;
    const listed = withItemLists(parsed);
    const { document, changed } = withFullPublicAddress(listed);
    return changed || listed !== parsed ? Buffer.from(JSON.stringify(document)) : bytes;
  } catch {
    return bytes;
  }
}

const PAGE_TYPES = new Set(["OrderedCollectionPage", "CollectionPage"]);

/**
 * A collection's items always as a list: JSON-LD compaction writes a one-item list as the
 * item itself and leaves an empty one out, and readers that expect a list (snac reads an
 * outbox's `orderedItems` only when it is one) then see no items at all.
 */
function withItemLists(document: unknown): unknown {
  if (!document || typeof document !== "object" || Array.isArray(document)) return document;
  const d = document as Record<string, unknown>;
  const type = String(d.type ?? "");
  if (!type.endsWith("Collection") && !PAGE_TYPES.has(type)) return document;
  const key = "orderedItems" in d || type.startsWith("Ordered") ? "orderedItems" : "items";
  const value = d[key];
  if (Array.isArray(value)) return document;
  if (value === undefined && !PAGE_TYPES.has(type)) return document;
  return { ...d, [key]: value === undefined ? [] : [value] };
}

/**
 * The activity without Linked Data Signatures or Object Integrity Proofs: the door proved
 * the deliverer by its HTTP signature, and Fedify would otherwise run JSON-LD
 * canonicalization over them (and accept a proof in place of the proven actor).
 */
function withoutEmbeddedSignatures(body: Uint8Array, activity: Readonly<Record<string, unknown>>): Uint8Array {
  if (!("signature" in activity) && !("proof" in activity)) return body;
  const { signature: _signature, proof: _proof, ...rest } = activity;
  return Buffer.from(JSON.stringify(rest));
}
