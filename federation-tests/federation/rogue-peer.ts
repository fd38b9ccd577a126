import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { createFederation, generateCryptoKeyPair, MemoryKvStore, signRequest, type Federation } from "@fedify/fedify";
import {
  Accept,
  Article,
  Create,
  Document,
  Endpoints,
  Follow,
  Organization,
  type Activity,
  type Recipient,
} from "@fedify/fedify/vocab";
import { generateKeyPair, exportJWK, type CryptoKey } from "jose";
import { keyIdOf, signDetachedJws } from "../../node/signing/jws.ts";
import { SIGNED_ITEM_MEDIA_TYPE } from "../../node/signing/signed-item.ts";
import { freePort } from "../support.ts";

/**
 * A hand-driven ActivityPub peer for refusal scenarios: a real Fedify server on loopback
 * with its own actor, HTTP-signature keys and JWKS, that accepts every follow and sends
 * whatever activities a test builds — well-formed, tampered or malformed.
 */
export interface RoguePeer {
  readonly origin: string;
  readonly actorId: URL;
  readonly kid: string;
  /** Signs a document with the rogue's published key (or another key) as a detached JWS. */
  sign(document: Record<string, unknown>, key?: { kid: string; key: CryptoKey }): Promise<string>;
  /** An unpublished Ed25519 key, for "signed by a key the origin never published". */
  strayKey(): Promise<{ kid: string; key: CryptoKey }>;
  /** A schema-valid CaseStudy document of this rogue's origin, version 1, with a fresh id; `extra` overrides fields. */
  caseStudy(title: string, extra?: Record<string, unknown>): Record<string, unknown>;
  /**
   * A Create activity as the JSON a peer POSTs, carrying `doc` signed by this rogue's
   * published key; its actor is this rogue's, or `actor` (an impostor's claim).
   */
  createJson(doc: Record<string, unknown>, actor?: URL): Promise<string>;
  /** An Article carrying `payload` (normally `{document, jws}`) as its signed attachment. */
  article(id: string, payload: unknown, attributedTo?: string): Article;
  /** Sends an activity, signed with the rogue's HTTP signature key, to a node's actor. */
  send(to: { actor: string; inbox: string }, activity: Activity): Promise<void>;
  /**
   * Serves `path` (exact pathname) with a handler of the test's own, before the rogue's
   * ActivityPub routes: hostile documents, redirect loops, endless outbox pages. The
   * handler's requests are counted in {@link RoguePeer.hits}.
   */
  route(path: string, handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): void;
  /** How many requests reached `path` so far. */
  hits(path: string): number;
  /**
   * POSTs a raw body to an inbox with a valid HTTP signature by the rogue's actor key (or
   * by `as`: any key id and private key, e.g. an impostor's); answers the status and text.
   */
  postSigned(
    inbox: string,
    body: string | Uint8Array,
    as?: { keyId: URL; privateKey: CryptoKey },
  ): Promise<{ status: number; text: string }>;
  /**
   * Signs a POST of `body` to `inbox` as {@link RoguePeer.postSigned} does, without sending it:
   * a benchmark signs its deliveries before the clock starts, then sends each with `send()`.
   */
  presign(inbox: string, body: string): Promise<{ send(): Promise<{ status: number; text: string }> }>;
  close(): Promise<void>;
}

/** Starts a rogue peer on a free loopback port. */
export async function startRoguePeer(): Promise<RoguePeer> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const httpKeys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  const jws = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const publicJwk = await exportJWK(jws.publicKey);
  const kid = await keyIdOf(publicJwk);
  const federation: Federation<void> = createFederation<void>({
    kv: new MemoryKvStore(),
    origin,
    allowPrivateAddress: true,
  });
  const actorId = new URL(`${origin}/users/rogue`);

  federation
    .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
      if (identifier !== "rogue") return null;
      const [pair] = await ctx.getActorKeyPairs(identifier);
      return new Organization({
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        name: "Rogue City",
        inbox: ctx.getInboxUri(identifier),
        outbox: ctx.getOutboxUri(identifier),
        endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        publicKey: pair?.cryptographicKey,
      });
    })
    .setKeyPairsDispatcher(async () => [httpKeys]);
  federation.setOutboxDispatcher("/users/{identifier}/outbox", async () => ({ items: [] })).setCounter(() => 0);
  federation.setInboxListeners("/users/{identifier}/inbox", "/inbox").on(Follow, async (ctx, follow) => {
    const follower = await follow.getActor(ctx);
    if (!follower || !follow.id) return;
    await ctx.sendActivity(
      { identifier: "rogue" },
      follower,
      new Accept({
        id: new URL(`${origin}/accepts/${encodeURIComponent(follow.id.href)}`),
        actor: actorId,
        object: follow,
      }),
    );
  });

  const routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void | Promise<void>>();
  const hitCounts = new Map<string, number>();
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", origin);
    hitCounts.set(url.pathname, (hitCounts.get(url.pathname) ?? 0) + 1);
    const custom = routes.get(url.pathname);
    if (custom) {
      await custom(req, res);
      return;
    }
    if (url.pathname === "/.well-known/jwks.json") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys: [{ ...publicJwk, kid, alg: "EdDSA", use: "sig" }] }));
      return;
    }
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const response = await federation.fetch(
      new Request(url, {
        method: req.method,
        headers,
        body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
        duplex: "half",
      } as RequestInit),
      { contextData: undefined },
    );
    res.statusCode = response.status;
    response.headers.forEach((v, k) => res.setHeader(k, v));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  const context = () => federation.createContext(new URL(origin), undefined);

  function article(id: string, payload: unknown, attributedTo?: string): Article {
    return new Article({
      id: new URL(id),
      attribution: new URL(attributedTo ?? actorId.href),
      name: "An item",
      content: "<p>An item.</p>",
      attachments: [
        new Document({
          mediaType: SIGNED_ITEM_MEDIA_TYPE,
          content: typeof payload === "string" ? payload : JSON.stringify(payload),
        }),
      ],
    });
  }

  return {
    origin,
    actorId,
    kid,
    sign: (document, key) => signDetachedJws(document, key ?? { kid, key: jws.privateKey }),
    async strayKey() {
      const pair = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
      return { kid: await keyIdOf(await exportJWK(pair.publicKey)), key: pair.privateKey };
    },
    article,
    async send(to, activity) {
      const recipient: Recipient = { id: new URL(to.actor), inboxId: new URL(to.inbox), endpoints: null };
      await context().sendActivity({ identifier: "rogue" }, recipient, activity, { immediate: true });
    },
    caseStudy(title, extra = {}) {
      return {
        id: `${origin}/items/${crypto.randomUUID()}`,
        type: "CaseStudy",
        attributedTo: actorId.href,
        published: "2026-01-01T00:00:00Z",
        updated: "2026-01-01T00:00:01Z",
        version: 1,
        title,
        summary: "A case sent by a hand-driven peer.",
        language: "en",
        city: "Rogue",
        country: "KR",
        body: "Body text.",
        ...extra,
      };
    },
    async createJson(doc, actor) {
      const claimed = actor ?? actorId;
      const payload = { document: doc, jws: await signDetachedJws(doc, { kid, key: jws.privateKey }) };
      const activity = new Create({
        id: new URL(`${claimed.origin}/activities/${crypto.randomUUID()}`),
        actor: claimed,
        object: article(String(doc.id), payload, String(doc.attributedTo)),
      });
      return JSON.stringify(await activity.toJsonLd());
    },
    async postSigned(inbox, body, as) {
      const [pair] = await context().getActorKeyPairs("rogue");
      const signer = as ?? { keyId: pair!.keyId, privateKey: httpKeys.privateKey };
      const request = await signRequest(
        new Request(inbox, {
          method: "POST",
          headers: { "content-type": "application/activity+json" },
          body: body as BodyInit,
        }),
        signer.privateKey,
        signer.keyId,
      );
      const response = await fetch(request);
      return { status: response.status, text: await response.text() };
    },
    async presign(inbox, body) {
      const [pair] = await context().getActorKeyPairs("rogue");
      const signed = await signRequest(
        new Request(inbox, { method: "POST", headers: { "content-type": "application/activity+json" }, body }),
        httpKeys.privateKey,
        pair!.keyId,
      );
      // The signed headers (date, digest, signature) with the same body make the same request.
      const headers = new Headers(signed.headers);
      return {
        async send() {
          const response = await fetch(inbox, { method: "POST", headers, body });
          return { status: response.status, text: await response.text() };
        },
      };
    },
    route(path, handler) {
      routes.set(path, handler);
    },
    hits: (path) => hitCounts.get(path) ?? 0,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
