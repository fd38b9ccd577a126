import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createPublicKey, verify as nodeVerify } from "node:crypto";
import { fileURLToPath } from "node:url";
import { CompactSign, compactVerify, importJWK, type CryptoKey, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { canonicalBytes, keyIdOf, signDetachedJws, verifyDetachedJws, type SigningKey } from "./jws.ts";
import { RFC8037_TEST_PRIVATE_JWK } from "./fixtures/test-key.ts";

const publicJwk: JWK = { kty: "OKP", crv: "Ed25519", x: RFC8037_TEST_PRIVATE_JWK.x as string, alg: "EdDSA" };
let signer: SigningKey;
let jwks: JWK[];

const document = {
  id: "https://seoul.example/items/mvoting",
  type: "CaseStudy",
  title: "mVoting: 시민이 직접 정하는 정책",
  version: 3,
  tags: ["e-voting", "mobile"],
  nested: { b: 2, a: [1, "two", null, true] },
};

beforeAll(async () => {
  const kid = await keyIdOf(publicJwk);
  signer = { kid, key: (await importJWK(RFC8037_TEST_PRIVATE_JWK, "EdDSA")) as CryptoKey };
  jwks = [{ ...publicJwk, kid }];
});

describe("signDetachedJws()", () => {
  it("reproduces the RFC 8037 A.4 Ed25519 signature with the same key (known answer)", async () => {
    const jws = await new CompactSign(new TextEncoder().encode("Example of Ed25519 signing"))
      .setProtectedHeader({ alg: "EdDSA" })
      .sign(signer.key);
    expect(jws).toBe(
      "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc." +
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg",
    );
  });

  it("names the key by its RFC 7638 thumbprint", () => {
    // RFC 8037 A.3 gives this thumbprint for the A.1 key.
    expect(signer.kid).toBe("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
  });

  it("produces header..signature with alg EdDSA and the kid, deterministically", async () => {
    const a = await signDetachedJws(document, signer);
    const b = await signDetachedJws({ ...document }, signer);
    expect(a).toBe(b);
    const [header, payload, signature] = a.split(".");
    expect(payload).toBe("");
    expect(signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(JSON.parse(Buffer.from(header!, "base64url").toString())).toEqual({ alg: "EdDSA", kid: signer.kid });
  });

  it("signs the RFC 8785 canonical bytes, whatever the key order", async () => {
    const reordered = {
      tags: document.tags,
      nested: { a: document.nested.a, b: 2 },
      version: 3,
      title: document.title,
      type: document.type,
      id: document.id,
    };
    expect(await signDetachedJws(reordered, signer)).toBe(await signDetachedJws(document, signer));
    expect(new TextDecoder().decode(canonicalBytes(document))).toBe(
      '{"id":"https://seoul.example/items/mvoting","nested":{"a":[1,"two",null,true],"b":2},"tags":["e-voting","mobile"],"title":"mVoting: 시민이 직접 정하는 정책","type":"CaseStudy","version":3}',
    );
  });

  it("verifies with jose's compactVerify once the payload is put back", async () => {
    const jws = await signDetachedJws(document, signer);
    const [header, , signature] = jws.split(".");
    const payload = Buffer.from(canonicalBytes(document)).toString("base64url");
    const key = await importJWK(publicJwk, "EdDSA");
    const result = await compactVerify(`${header}.${payload}.${signature}`, key, { algorithms: ["EdDSA"] });
    expect(result.protectedHeader).toEqual({ alg: "EdDSA", kid: signer.kid });
    await expect(compactVerify(`${header}.${payload.slice(0, -2)}AA.${signature}`, key)).rejects.toThrow();
  });

  it("verifies with node:crypto alone, from the raw signing input", async () => {
    const jws = await signDetachedJws(document, signer);
    const [header, , signature] = jws.split(".");
    const signingInput = Buffer.concat([
      Buffer.from(`${header}.`),
      Buffer.from(Buffer.from(canonicalBytes(document)).toString("base64url")),
    ]);
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: publicJwk.x as string }, format: "jwk" });
    expect(nodeVerify(null, signingInput, key, Buffer.from(signature!, "base64url"))).toBe(true);
  });

  const python = "/usr/bin/python3";
  const script = fileURLToPath(new URL("./fixtures/verify-jws.py", import.meta.url));
  const hasJwcrypto = existsSync(python) && spawnSync(python, ["-c", "import jwcrypto"]).status === 0;
  // CI installs python3-jwcrypto (see .ci/run); there the check must run, never skip.
  it.skipIf(!hasJwcrypto && process.env.CI !== "true")(
    "verifies with jwcrypto, an independent JOSE implementation",
    async () => {
      const jws = await signDetachedJws(document, signer);
      const run = (doc: unknown) =>
        spawnSync(python, [script], {
          input: JSON.stringify({ document: doc, jws, jwks: { keys: jwks } }),
          encoding: "utf8",
        });
      const good = run(document);
      expect(good.stdout.trim()).toBe("valid");
      expect(good.status).toBe(0);
      const bad = run({ ...document, title: document.title.replace("mVoting", "nVoting") });
      expect(bad.stdout).toMatch(/^invalid/);
      expect(bad.status).toBe(1);
    },
  );
});

describe("verifyDetachedJws()", () => {
  it("accepts the node's own signature and hands back the canonical JSON that verified", async () => {
    const jws = await signDetachedJws(document, signer);
    expect(await verifyDetachedJws(document, jws, jwks)).toEqual({
      ok: true,
      kid: signer.kid,
      canonical: Buffer.from(canonicalBytes(document)).toString("utf8"),
    });
  });

  it("rejects a document with one byte changed", async () => {
    const jws = await signDetachedJws(document, signer);
    const tampered = { ...document, version: 4 };
    const result = await verifyDetachedJws(tampered, jws, jwks);
    expect(result).toMatchObject({ ok: false, reason: "signature does not match the document" });
  });

  it("rejects a signature with one character changed", async () => {
    const jws = await signDetachedJws(document, signer);
    const flipped = jws.slice(0, -2) + (jws.at(-2) === "A" ? "B" : "A") + jws.at(-1);
    expect((await verifyDetachedJws(document, flipped, jwks)).ok).toBe(false);
  });

  it("rejects a kid the origin does not publish", async () => {
    const jws = await signDetachedJws(document, { ...signer, kid: "someone-else" });
    expect(await verifyDetachedJws(document, jws, jwks)).toMatchObject({
      ok: false,
      reason: "key someone-else is not published by the origin",
    });
  });

  it("rejects an attached payload, another algorithm and garbage", async () => {
    const attached = await new CompactSign(canonicalBytes(document))
      .setProtectedHeader({ alg: "EdDSA", kid: signer.kid })
      .sign(signer.key);
    expect((await verifyDetachedJws(document, attached, jwks)).ok).toBe(false);
    const none = `${Buffer.from(JSON.stringify({ alg: "none", kid: signer.kid })).toString("base64url")}..`;
    expect((await verifyDetachedJws(document, none, jwks)).ok).toBe(false);
    const hs = `${Buffer.from(JSON.stringify({ alg: "HS256", kid: signer.kid })).toString("base64url")}..abc`;
    expect(await verifyDetachedJws(document, hs, jwks)).toMatchObject({
      ok: false,
      reason: "algorithm HS256 is not accepted",
    });
    expect((await verifyDetachedJws(document, "not a jws", jwks)).ok).toBe(false);
    expect((await verifyDetachedJws(document, "%%%..%%%", jwks)).ok).toBe(false);
  });
});
