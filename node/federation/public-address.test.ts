import {
  exportJwk,
  generateCryptoKeyPair,
  signJsonLd,
  signObject,
  verifyJsonLd,
  verifyProof,
  type MessageQueue,
} from "@fedify/fedify";
import { getDocumentLoader, type DocumentLoader } from "@fedify/fedify/runtime";
import { Create, CryptographicKey, DataIntegrityProof, Multikey, Note, PUBLIC_COLLECTION } from "@fedify/fedify/vocab";
import { describe, expect, it } from "vitest";
import { addressPublicInFull, PUBLIC_URI } from "./public-address.ts";

const actor = new URL("http://seoul.test/cities/seoul");
const rsaKeyId = new URL(`${actor.href}#main-key`);
const edKeyId = new URL(`${actor.href}#key-2`);

describe("addressPublicInFull()", () => {
  it("queues the full Public URI, with the proof and the Linked Data Signature made again so both verify", async () => {
    const [rsa, ed] = await Promise.all([generateCryptoKeyPair("RSASSA-PKCS1-v1_5"), generateCryptoKeyPair("Ed25519")]);
    const keyDocuments: Record<string, unknown> = {
      [rsaKeyId.href]: await new CryptographicKey({ id: rsaKeyId, owner: actor, publicKey: rsa.publicKey }).toJsonLd(),
      [edKeyId.href]: await new Multikey({ id: edKeyId, controller: actor, publicKey: ed.publicKey }).toJsonLd(),
    };
    const preloaded = getDocumentLoader();
    const documentLoader: DocumentLoader = async (url) =>
      url in keyDocuments ? { contextUrl: null, documentUrl: url, document: keyDocuments[url] } : preloaded(url);

    // What Fedify queues for a delivery: the activity signed (proof, then RSA signature) in compact form.
    const create = new Create({
      id: new URL("http://seoul.test/items/a#v1-create"),
      actor,
      object: new Note({ id: new URL("http://seoul.test/items/a"), content: "hi", tos: [PUBLIC_COLLECTION] }),
      tos: [PUBLIC_COLLECTION],
    });
    const proved = await signObject(create, ed.privateKey, edKeyId, { contextLoader: preloaded });
    const compact = (await signJsonLd(
      await proved.toJsonLd({ format: "compact", contextLoader: preloaded }),
      rsa.privateKey,
      rsaKeyId,
      { contextLoader: preloaded },
    )) as unknown as Record<string, unknown>;
    expect(compact.to).toBe("as:Public");

    const queued: unknown[] = [];
    const queue: MessageQueue = { enqueue: async (m) => void queued.push(m), listen: async () => {} };
    const keys = [
      { keyId: rsaKeyId.href, privateKey: await exportJwk(rsa.privateKey) },
      { keyId: edKeyId.href, privateKey: await exportJwk(ed.privateKey) },
    ];
    await addressPublicInFull(queue, preloaded).enqueue({ type: "outbox", activity: compact, keys });
    const sent = (queued[0] as { activity: Record<string, unknown> }).activity;
    expect(sent.to).toBe(PUBLIC_URI);
    expect((sent.object as Record<string, unknown>).to).toBe(PUBLIC_URI);

    // The RSA Linked Data Signature verifies (Mastodon checks it on relayed activities)…
    expect(await verifyJsonLd(sent, { documentLoader, contextLoader: preloaded })).toBe(true);
    // …and so does the Object Integrity Proof, over the JSON as delivered (without the LD signature).
    const { signature: _signature, ...unsigned } = sent;
    const proof = await DataIntegrityProof.fromJsonLd(
      { "@context": sent["@context"], ...(sent.proof as object) },
      { documentLoader, contextLoader: preloaded },
    );
    expect(await verifyProof(unsigned, proof, { documentLoader, contextLoader: preloaded })).not.toBeNull();
    // A proof of the original bytes does not verify over the rewritten JSON: it was made again.
    expect((sent.proof as { proofValue: string }).proofValue).not.toBe(
      (compact.proof as { proofValue: string }).proofValue,
    );
  });

  it("passes other messages through unchanged", async () => {
    const queued: unknown[] = [];
    const queue: MessageQueue = { enqueue: async (m) => void queued.push(m), listen: async () => {} };
    const message = { type: "outbox", activity: { type: "Follow", to: "http://busan.test/cities/busan" }, keys: [] };
    await addressPublicInFull(queue, getDocumentLoader()).enqueue(message);
    await addressPublicInFull(queue, getDocumentLoader()).enqueue({ type: "fanout", activity: { to: "as:Public" } });
    expect(queued).toEqual([message, { type: "fanout", activity: { to: "as:Public" } }]);
  });
});
