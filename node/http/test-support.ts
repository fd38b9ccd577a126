import { Peer } from "../db/entities.ts";
import type { Orm } from "../db/orm.ts";
import { draftFixture } from "../test-support.ts";

// Test support for the http tests: the rows and documents a peer city leaves on this node.

/** Inserts the peer row of `actorId` as peering leaves it: `weFollow` (accepted unless told), no backfill, not following us. */
export async function addPeerRow(orm: Orm, actorId: string, name: string | null, weFollow = "accepted"): Promise<void> {
  const now = new Date().toISOString();
  await orm.em.fork().insert(Peer, {
    actorId,
    host: new URL(actorId).host,
    name,
    weFollow,
    theyFollow: "none",
    backfillState: "idle",
    backfillDone: 0,
    backfillTotal: 0,
    createdAt: now,
    updatedAt: now,
  });
}

/** A minimal case study Busan published at `id` (version 1, 1 January 2026), with `fields` (city, title…) set over it. */
export function busanCaseStudy(id: string, fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return {
    ...draftFixture("case-study.minimal"),
    id,
    attributedTo: "http://busan.test/cities/busan",
    ...fields,
    published: "2026-01-01T00:00:00Z",
    updated: "2026-01-01T00:00:00Z",
    version: 1,
  };
}
