import { randomUUID } from "node:crypto";
import { Create } from "@fedify/fedify/vocab";
import { describe, expect, it } from "vitest";
import { poll } from "../support.ts";
import { api, caseDraft, heldVersion, peer, publish, type CityNode } from "./cluster.ts";
import { fileCluster } from "./file-cluster.ts";
import { startRoguePeer, type RoguePeer } from "./rogue-peer.ts";

// The adoption loop across real node processes: B follows A and adopts one of A's cases;
// A, which does not follow B, hears of it, verifies it and lists it under the case.

let a: CityNode; // the origin city of the case
let b: CityNode; // the adopting city: follows A, is not followed back
let rogue: RoguePeer; // a hand-driven city nobody follows
let caseId: string;

fileCluster({
  cities: ["aseoul", "busan"],
  async started(nodes) {
    [a, b] = nodes;
    rogue = await startRoguePeer();
    await peer(b, a);
    caseId = await publish(a, caseDraft("Residents vote on city questions from their phones"));
    await poll("b to import a's case", async () => (await heldVersion(b, caseId)) === 1);
  },
  stopping: async () => rogue?.close(),
});

function adoptionDraft(status: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "Adoption",
    title: "Busan plans mobile voting on the model of Seoul",
    summary: "The city's participation office is preparing a pilot in two districts.",
    language: "en",
    case: caseId,
    status,
    ...extra,
  };
}

async function adoptionsAtA(): Promise<{ id: string; local: boolean; verified: boolean; version: number }[]> {
  const res = await api(a, `/api/items?type=Adoption&case=${encodeURIComponent(caseId)}`);
  expect(res.status).toBe(200);
  return res.body.items;
}

/** Waits for A to log that it refused `objectId`; returns the logged reason. */
async function refusalAtA(objectId: string): Promise<string> {
  return poll(`a to refuse ${objectId}`, async () => {
    const line = a.node
      .output()
      .split("\n")
      .find((l) => l.includes('"refused an item"') && l.includes(JSON.stringify(objectId)));
    return line ? (JSON.parse(line) as { reason: string }).reason : undefined;
  });
}

/** The rogue delivers a Create of `document` (carrying `jws`) to A's inbox. */
async function rogueSends(document: Record<string, unknown>, jws: string): Promise<void> {
  await rogue.send(
    { actor: a.actor, inbox: `${a.url}/cities/aseoul/inbox` },
    new Create({
      id: new URL(`${rogue.origin}/activities/${randomUUID()}`),
      actor: rogue.actorId,
      object: rogue.article(String(document.id), { document, jws }, String(document.attributedTo)),
    }),
  );
}

/** A schema-valid Adoption of A's case by the rogue's origin (or whatever `extra` claims). */
function rogueAdoption(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { body: _body, ...base } = rogue.caseStudy("A rogue adoption", {
    id: `${rogue.origin}/items/adoption-${randomUUID()}`,
  });
  return { ...base, type: "Adoption", case: caseId, status: "considering", ...extra };
}

describe("an Adoption reaches the city whose case it adopts", () => {
  it("A, not following B, holds B's adoption verified and lists it under the case; B's update and delete follow", async () => {
    expect((await api(a, "/api/peers")).body.peers.find((p: { actor: string }) => p.actor === b.actor)?.state).toBe(
      "followed",
    );
    const id = await publish(b, adoptionDraft("planning"));
    await poll("a to hold b's adoption", async () => (await heldVersion(a, id)) === 1);
    const held = await api(a, `/api/items?id=${encodeURIComponent(id)}`);
    expect(held.body).toMatchObject({ origin: new URL(b.url).origin, verified: true });
    expect(held.body.document).toMatchObject({ type: "Adoption", case: caseId, status: "planning" });
    expect(await adoptionsAtA()).toEqual([expect.objectContaining({ id, local: false, verified: true })]);
    // A's case page lists the adopting city's adoption among the cities adopting the case.
    const page = await (await fetch(caseId, { headers: { accept: "text/html" } })).text();
    const listed = page.slice(page.indexOf('id="adoptions-h"'));
    expect(page).toContain('id="adoptions-h"');
    expect(listed).toContain("Busan plans mobile voting on the model of Seoul");

    const updated = await api(b, `/api/items?id=${encodeURIComponent(id)}`, {
      method: "PUT",
      json: adoptionDraft("piloting", { started: "2026-03" }),
    });
    expect(updated.status).toBe(200);
    await poll("a to hold the update", async () => (await heldVersion(a, id)) === 2);
    expect((await api(a, `/api/items?id=${encodeURIComponent(id)}`)).body.document.status).toBe("piloting");

    expect((await api(b, `/api/items?id=${encodeURIComponent(id)}`, { method: "DELETE" })).status).toBeLessThan(300);
    await poll("a to apply the delete", async () => (await heldVersion(a, id)) === -1);
    expect(await adoptionsAtA()).toEqual([]);
  });

  it("A keeps a well-signed adoption of its case from a city nobody follows (the harness works)", async () => {
    const doc = rogueAdoption();
    await rogueSends(doc, await rogue.sign(doc));
    await poll("a to hold the rogue's adoption", async () => (await heldVersion(a, String(doc.id))) === 1);
    expect((await adoptionsAtA()).map((i) => i.id)).toContain(doc.id);
  });

  it("refuses an adoption claiming to come from another city, and stores nothing", async () => {
    const doc = rogueAdoption({ id: `${b.url}/items/forged-${randomUUID()}`, attributedTo: b.actor, city: "Busan" });
    await rogueSends(doc, await rogue.sign(doc));
    expect(await refusalAtA(String(doc.id))).toMatch(/is not published by the origin/);
    expect(await heldVersion(a, String(doc.id))).toBe(0);
  });

  it("refuses an adoption signed with a key that is not the adopter's, and stores nothing", async () => {
    const doc = rogueAdoption();
    await rogueSends(doc, await rogue.sign(doc, await rogue.strayKey()));
    expect(await refusalAtA(String(doc.id))).toMatch(/is not published by the origin/);
    expect(await heldVersion(a, String(doc.id))).toBe(0);
  });

  it("refuses an adoption of a case A does not hold from a city it does not follow", async () => {
    const doc = rogueAdoption({ case: `${b.url}/items/no-such-case` });
    await rogueSends(doc, await rogue.sign(doc));
    expect(await refusalAtA(String(doc.id))).toBe(`${rogue.actorId.href} is not a peer this node follows`);
    expect(await heldVersion(a, String(doc.id))).toBe(0);
  });
});
