import { afterEach } from "vitest";
import { InProcessMessageQueue, lookupObject, MemoryKvStore, type Federation, type InboxContext } from "@fedify/fedify";
import { fetchDocumentLoader, type RemoteDocument } from "@fedify/fedify/runtime";
import { Article, Organization, Tombstone, type Activity, type Object as APObject } from "@fedify/fedify/vocab";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { createLogger } from "../log.ts";
import { keyIdOf, signDetachedJws, type SigningKey } from "../signing/jws.ts";
import { toSignedItemAttachment } from "../signing/signed-item.ts";
import { createTestLibrary, TEST_IDENTITY, type TestLibrary } from "../test-support.ts";
import type { IngestDeps } from "./ingest.ts";
import { createPeerStore, type PeerStore } from "../db/peer-store.ts";
import { createUnsolicitedGate } from "./unsolicited.ts";
import { createShareStore } from "../db/share-store.ts";
import { PUBLIC_ONLY } from "../net/address-policy.ts";
import { createOutbound } from "../net/outbound.ts";
import { createActorKeys } from "./actor-keys.ts";
import { createDocumentLoaders } from "./document-loader.ts";
import { createWegoFederation, type WegoFederationOptions } from "./federation.ts";
import type { TestDatabase } from "../db/test-databases.ts";

// Test support for the inbox handlers and ingest: a receiving node over a private
// in-memory database, a peer city that signs its items, and the part of Fedify's inbox
// context the handlers use (Fedify 1.5.9 ships no mock context).

/** A peer city: its actor, its signing key, and the documents it signs. */
export interface TestPeer {
  readonly origin: string;
  readonly actorId: URL;
  readonly jwk: JWK;
  /** Its actor as it publishes it (inbox and outbox on its own origin). */
  readonly actor: Organization;
  /** A schema-valid case study of this peer at `version` (a fresh id unless given). */
  caseStudy(title: string, options?: { readonly id?: string; readonly version?: number }): Record<string, unknown>;
  /** The Tombstone document that deletes `id` at `version`. */
  tombstone(id: string, version: number): Record<string, unknown>;
  /** `document` signed with this peer's key (or `signer`, a forger's). */
  sign(
    document: Record<string, unknown>,
    signer?: SigningKey,
  ): Promise<{ document: Record<string, unknown>; jws: string }>;
  /** An Article (or a Tombstone object) carrying the signed document, as a delivery embeds it. */
  object(signed: { document: Record<string, unknown>; jws: string }): APObject;
}

/** Makes an Ed25519 signing key and its public JWK (with its kid). */
export async function createSigningKey(): Promise<{ signer: SigningKey; jwk: JWK }> {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), alg: "EdDSA" } as JWK;
  jwk.kid = await keyIdOf(jwk);
  return { signer: { kid: jwk.kid, key: privateKey }, jwk };
}

/** A peer city at `origin` with a fresh signing key. */
export async function createTestPeer(origin = "http://busan.test"): Promise<TestPeer> {
  const actorId = new URL(`${origin}/cities/busan`);
  const { signer, jwk } = await createSigningKey();
  return {
    origin,
    actorId,
    jwk,
    actor: new Organization({
      id: actorId,
      preferredUsername: "busan",
      name: "Busan",
      inbox: new URL(`${actorId.href}/inbox`),
      outbox: new URL(`${actorId.href}/outbox`),
    }),
    caseStudy(title, options = {}) {
      return {
        id: options.id ?? `${origin}/items/${crypto.randomUUID()}`,
        type: "CaseStudy",
        attributedTo: actorId.href,
        published: "2026-01-01T00:00:00Z",
        updated: `2026-01-0${options.version ?? 1}T00:00:00Z`,
        version: options.version ?? 1,
        title,
        summary: "A case delivered by a peer.",
        language: "en",
        city: "Busan",
        country: "KR",
        body: "Body text.",
      };
    },
    tombstone(id, version) {
      return {
        id,
        type: "Tombstone",
        formerType: "CaseStudy",
        attributedTo: actorId.href,
        published: "2026-01-01T00:00:00Z",
        updated: "2026-02-01T00:00:00Z",
        deleted: "2026-02-01T00:00:00Z",
        version,
      };
    },
    async sign(document, by = signer) {
      return { document, jws: await signDetachedJws(document, by) };
    },
    object(signed) {
      const id = new URL(String(signed.document.id));
      if (signed.document.type === "Tombstone")
        return new Tombstone({ id, attachments: [toSignedItemAttachment(signed)] });
      return new Article({
        id,
        attribution: actorId,
        name: String(signed.document.title),
        attachments: [toSignedItemAttachment(signed)],
      });
    },
  };
}

/** The receiving node: its library and peer store, and ingest deps that know `peer`'s keys. */
export interface TestReceiver extends TestLibrary {
  readonly peers: PeerStore;
  readonly ingest: IngestDeps;
}

/** A receiving node (`seoul.test`) over a fresh in-memory database; `keysOf` are the peers whose JWKS it can load. */
export async function createTestReceiver(
  keysOf: readonly TestPeer[] = [],
  database?: TestDatabase,
): Promise<TestReceiver> {
  const base = await createTestLibrary(TEST_IDENTITY, undefined, { database });
  const peers = createPeerStore(base.orm);
  const ingest: IngestDeps = {
    library: base.library,
    validator: base.validator,
    peers,
    loadKeys: async (origin) => {
      const peer = keysOf.find((p) => p.origin === origin);
      return peer ? { ok: true, keys: [peer.jwk] } : { ok: false, reason: `no keys for ${origin}` };
    },
    identity: base.identity,
    logger: createLogger("error", () => {}),
    unsolicited: createUnsolicitedGate({ library: base.library }),
  };
  return { ...base, peers, ingest };
}

/** Records that `node` follows each of `peers` (accepted), as after their Accept. */
export async function followPeers(node: TestReceiver, ...peers: readonly TestPeer[]): Promise<void> {
  for (const peer of peers) {
    await node.peers.remember({ actorId: peer.actorId.href });
    await node.peers.update(peer.actorId.href, { weFollow: "accepted" });
  }
}

/** Receivers made by {@link testReceivers}: each is closed after the test that made it. */
export interface TestReceivers {
  /** A receiver that can load the keys of `keysOf` (and follows no one). */
  create(keysOf?: readonly TestPeer[]): Promise<TestReceiver>;
  /** A receiver that follows each of `peers` (accepted) and can load their keys. */
  following(...peers: readonly TestPeer[]): Promise<TestReceiver>;
  /** A fresh peer city (`busan.test`) and a receiver that follows it. */
  withPeer(): Promise<{ readonly peer: TestPeer; readonly node: TestReceiver }>;
}

/**
 * Receivers for one test file; call it once at the file's top level (it registers the
 * `afterEach` that closes them). `database` names the database each new receiver is on
 * (default SQLite in memory): a file running its suites on both answers the current one.
 */
export function testReceivers(database: () => TestDatabase | undefined = () => undefined): TestReceivers {
  const open: TestReceiver[] = [];
  afterEach(async () => {
    for (const node of open.splice(0)) {
      await node.library.close();
      await node.orm.close();
    }
  });
  const create = async (keysOf: readonly TestPeer[] = []) => {
    const node = await createTestReceiver(keysOf, database());
    open.push(node);
    return node;
  };
  const following = async (...peers: readonly TestPeer[]) => {
    const node = await create(peers);
    await followPeers(node, ...peers);
    return node;
  };
  return {
    create,
    following,
    async withPeer() {
      const peer = await createTestPeer();
      return { peer, node: await following(peer) };
    },
  };
}

let activities = 0;

/** An activity of `Type` (Create, Update, Delete…) by `peer` about `object`, with a fresh id. */
export function activityBy<T extends Activity>(
  Type: new (values: { id: URL; actor: URL; object: APObject }) => T,
  peer: TestPeer,
  object: APObject,
): T {
  return new Type({ id: new URL(`${peer.actorId.href}#activities/${++activities}`), actor: peer.actorId, object });
}

/** What a handler sent through its context. */
export interface SentActivity {
  readonly recipient: unknown;
  readonly activity: Activity;
}

/**
 * The part of Fedify's InboxContext the handlers use: loaders that serve `documents`
 * (contexts from Fedify's preloaded set; nothing touches the network) and a
 * `sendActivity` that records what was sent.
 */
export function createInboxContext(documents: Readonly<Record<string, unknown>> = {}): {
  ctx: InboxContext<void>;
  sent: SentActivity[];
} {
  const sent: SentActivity[] = [];
  const documentLoader = async (url: string): Promise<RemoteDocument> => {
    if (!(url in documents)) throw new Error(`test context: no document at ${url}`);
    return { contextUrl: null, document: documents[url], documentUrl: url };
  };
  const ctx = {
    documentLoader,
    contextLoader: fetchDocumentLoader,
    async sendActivity(_sender: unknown, recipient: unknown, activity: Activity) {
      sent.push({ recipient, activity });
    },
    // What an outgoing context adds (case-origin.ts): the same loaders, and Fedify's own lookup over them.
    getDocumentLoader: async () => documentLoader,
    lookupObject: (url: string, options: { documentLoader?: typeof documentLoader } = {}) =>
      lookupObject(url, {
        documentLoader: options.documentLoader ?? documentLoader,
        contextLoader: fetchDocumentLoader,
      }),
  };
  return { ctx: ctx as unknown as InboxContext<void>, sent };
}

/**
 * The node's real Fedify federation over `node` (in-memory KV and queue, no network: the
 * outbound guard admits public addresses only), for tests that read what Fedify serves.
 */
export function createTestFederation(
  node: TestReceiver,
  options: Pick<WegoFederationOptions, "onDeliveryError" | "onDelivered" | "pageSize"> = {},
): Federation<void> {
  return createWegoFederation({
    orm: node.orm,
    identity: node.identity,
    library: node.library,
    peers: node.peers,
    manuallyApprovesFollowers: true,
    kv: new MemoryKvStore(),
    queue: new InProcessMessageQueue(),
    actorKeys: createActorKeys(node.orm),
    loaders: createDocumentLoaders({ outbound: createOutbound({ policy: PUBLIC_ONLY }) }),
    inbox: {
      ...node.ingest,
      manuallyApprovesFollowers: true,
      peering: { approve: async () => ({ ok: false, status: 404, reason: "unused" }), refuseHost: async () => null },
      backfill: { start() {} },
      ingest: node.ingest,
      shares: createShareStore(node.orm),
      forgetActorKeys() {},
    },
    ...options,
  });
}
