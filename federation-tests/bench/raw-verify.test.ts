import { Article, Create, Document } from "@fedify/fedify/vocab";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import { keyIdOf, signDetachedJws } from "../../node/signing/jws.ts";
import { SIGNED_ITEM_MEDIA_TYPE } from "../../node/signing/signed-item.ts";
import { countValid, payloadsOfActivities, prepareChecks, rawVerifyRate } from "./raw-verify.ts";

async function signer() {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), alg: "EdDSA" } as JWK;
  jwk.kid = await keyIdOf(jwk);
  return { jwk, sign: (document: unknown) => signDetachedJws(document, { kid: jwk.kid!, key: privateKey }) };
}

const docs = Array.from({ length: 5 }, (_, i) => ({ id: `https://a.example/items/${i}`, title: `Item ${i}`, n: i }));

describe("prepareChecks() and countValid()", () => {
  it("verify payloads signed by the node's own signing code with node:crypto, and count a tampered one as invalid", async () => {
    const { jwk, sign } = await signer();
    const payloads = await Promise.all(docs.map(async (document) => ({ document, jws: await sign(document) })));
    expect(countValid(prepareChecks(payloads, [jwk]))).toBe(5);
    const tampered = payloads.map((p, i) => (i === 2 ? { ...p, document: { ...p.document, title: "Changed" } } : p));
    expect(countValid(prepareChecks(tampered, [jwk]))).toBe(4);
  });

  it("refuses a payload whose kid is not among the keys given", async () => {
    const a = await signer();
    const b = await signer();
    const payloads = [{ document: docs[0], jws: await a.sign(docs[0]) }];
    expect(() => prepareChecks(payloads, [b.jwk])).toThrow(/no key/);
  });
});

describe("rawVerifyRate()", () => {
  it("measures a positive rate over valid payloads and throws when one does not verify", async () => {
    const { jwk, sign } = await signer();
    const payloads = await Promise.all(docs.map(async (document) => ({ document, jws: await sign(document) })));
    expect(rawVerifyRate(prepareChecks(payloads, [jwk]), 20)).toBeGreaterThan(0);
    const bad = [{ ...payloads[0]!, document: { changed: true } }];
    expect(() => rawVerifyRate(prepareChecks(bad, [jwk]), 20)).toThrow(/does not verify/);
  });
});

describe("payloadsOfActivities()", () => {
  it("finds the {document, jws} in Create activities as Fedify writes them, with one attachment or several", async () => {
    const { jwk, sign } = await signer();
    const bodies = await Promise.all(
      docs.slice(0, 2).map(async (document, i) => {
        const signed = new Document({
          mediaType: SIGNED_ITEM_MEDIA_TYPE,
          content: JSON.stringify({ document, jws: await sign(document) }),
        });
        const other = new Document({ mediaType: "text/csv", url: new URL("https://a.example/data.csv") });
        const activity = new Create({
          id: new URL(`https://a.example/activities/${i}`),
          actor: new URL("https://a.example/cities/a"),
          object: new Article({ id: new URL(document.id), attachments: i === 0 ? [signed] : [other, signed] }),
        });
        return JSON.stringify(await activity.toJsonLd());
      }),
    );
    const payloads = payloadsOfActivities(bodies);
    expect(payloads.map((p) => (p.document as { id: string }).id)).toEqual([docs[0]!.id, docs[1]!.id]);
    expect(countValid(prepareChecks(payloads, [jwk]))).toBe(2);
  });

  it("throws for an activity that carries no signed payload", () => {
    expect(() => payloadsOfActivities([JSON.stringify({ type: "Create", object: { type: "Note" } })])).toThrow(
      /no signed payload/,
    );
  });
});
