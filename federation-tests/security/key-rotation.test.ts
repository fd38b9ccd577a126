import { randomUUID } from "node:crypto";
import { importJwk, signObject, signRequest } from "@fedify/fedify";
import { Create, Note } from "@fedify/fedify/vocab";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../node/db/orm.ts";
import { Key } from "../../node/db/entities.ts";
import { openPrivateJwk } from "../../node/db/key-rows.ts";
import { poll, runWegoAsync } from "../support.ts";
import { caseDraft, heldVersion, peer, publish, type CityNode } from "../federation/cluster.ts";
import { fileCluster } from "../federation/file-cluster.ts";

// `wego keys rotate --http` on B, B restarted: A (a follower of B) receives B's Update of
// its actor, accepts B's next delivery under the new keys, and no longer accepts a
// signature made with B's old keys (a key that leaked is worth nothing once rotated).

let a: CityNode; // the follower
let b: CityNode; // the city whose keys are rotated

interface ActorKeys {
  rsa: CryptoKey;
  ed25519: CryptoKey;
}

/** B's current HTTP-signature private keys, read from its data folder (what a thief of the folder would hold). */
async function actorKeysOf(node: CityNode): Promise<ActorKeys> {
  const orm = await openDatabase({ dataDir: node.dataDir });
  try {
    const rows = await orm.em.fork().find(Key, { purpose: { $in: ["http-rsa", "http-ed25519"] }, retiredAt: null });
    const jwk = (purpose: string) => openPrivateJwk(orm, rows.find((r) => r.purpose === purpose)!)!;
    return {
      rsa: await importJwk(jwk("http-rsa"), "private"),
      ed25519: await importJwk(jwk("http-ed25519"), "private"),
    };
  } finally {
    await orm.close();
  }
}

/** A harmless activity in B's name (A refuses its object: it carries no signed document). */
function probe(): Create {
  const id = randomUUID();
  return new Create({
    id: new URL(`${b.actor}#probe-${id}`),
    actor: new URL(b.actor),
    object: new Note({ id: new URL(`${b.url}/probes/${id}`), content: "probe" }),
  });
}

/** POSTs `body` to A's inbox; answers the status (202 accepted, 401 signature refused). */
async function deliver(body: unknown, signWith?: CryptoKey): Promise<number> {
  let request = new Request(`${a.actor}/inbox`, {
    method: "POST",
    headers: { "content-type": "application/activity+json" },
    body: JSON.stringify(body),
  });
  if (signWith) request = await signRequest(request, signWith, new URL(`${b.actor}#main-key`));
  const res = await fetch(request);
  await res.arrayBuffer();
  return res.status;
}

/** A probe carrying an Object Integrity Proof made with `key` (B's Ed25519 key id) and no HTTP signature. */
async function withProof(key: CryptoKey): Promise<unknown> {
  return (await signObject(probe(), key, new URL(`${b.actor}#key-2`))).toJsonLd({ format: "compact" });
}

async function publicKeyPemOf(node: CityNode): Promise<string> {
  const res = await fetch(node.actor, { headers: { accept: "application/activity+json" } });
  return ((await res.json()) as { publicKey: { publicKeyPem: string } }).publicKey.publicKeyPem;
}

let oldKeys: ActorKeys;
let oldPem: string;
let rotateOutput: string;

fileCluster({
  cities: ["alpha", "beta"],
  async started(nodes, cluster) {
    [a, b] = nodes;
    await peer(a, b);
    oldKeys = await actorKeysOf(b);
    oldPem = await publicKeyPemOf(b);
    // The probe is sound: signed with B's key as it stands, A accepts it.
    expect(await deliver(await probe().toJsonLd({ format: "compact" }), oldKeys.rsa)).toBe(202);
    // A proof alone never stands in for the HTTP signature: the inbox door requires the latter.
    expect(await deliver(await withProof(oldKeys.ed25519))).toBe(401);
    const rotated = await runWegoAsync(["keys", "rotate", "--http", "--data", b.dataDir]);
    expect(rotated.status, rotated.stderr).toBe(0);
    rotateOutput = rotated.stdout;
    await cluster.restart(b);
  },
  timeout: 240_000,
});

describe("wego keys rotate --http", () => {
  it("retires the actor's keys, names the new ones and says to restart the node", () => {
    expect(rotateOutput).toMatch(/new HTTP-signature key http-rsa-/);
    expect(rotateOutput).toMatch(/new HTTP-signature key http-ed25519-/);
    expect(rotateOutput).toMatch(/retired http-rsa-/);
    expect(rotateOutput).toContain("restart the node to apply");
  });

  it("the restarted node publishes the new key in its actor document", async () => {
    const pem = await publicKeyPemOf(b);
    expect(pem).toMatch(/BEGIN PUBLIC KEY/);
    expect(pem).not.toBe(oldPem);
  });

  it("a follower receives the Update of the actor", async () => {
    await poll(
      "a to take b's actor Update",
      async () =>
        a.node
          .output()
          .split("\n")
          .some((l) => l.includes("a peer updated its actor") && l.includes(JSON.stringify(b.actor))),
      60_000,
    );
    expect(b.node.output()).toContain("announced the actor's keys to its followers");
  });

  it("the follower accepts the next delivery, signed with the new keys", async () => {
    const id = await publish(b, caseDraft("Signed after the rotation"));
    expect(
      await poll("a to hold b's new item", async () => (await heldVersion(a, id)) === 1 || undefined, 60_000),
    ).toBe(true);
  });

  it("after the Update the follower refuses signatures made with the old keys", async () => {
    await poll("a to take b's actor Update", async () => a.node.output().includes("a peer updated its actor"), 60_000);
    // Old RSA key in an HTTP signature: the door refetches the key once it fails, and the new one does not match.
    expect(await deliver(await probe().toJsonLd({ format: "compact" }), oldKeys.rsa)).toBe(401);
    // Old Ed25519 key in an Object Integrity Proof, with the old RSA signature: still refused.
    expect(await deliver(await withProof(oldKeys.ed25519), oldKeys.rsa)).toBe(401);
    // The new keys still pass, so the 401s are about the keys.
    const newKeys = await actorKeysOf(b);
    expect(await deliver(await probe().toJsonLd({ format: "compact" }), newKeys.rsa)).toBe(202);
  });
});
