import type { Library } from "../library/library.ts";
import { createRateBuckets } from "./rate-buckets.ts";

// The one kind of item this node keeps from an actor it does not follow: another city's
// Adoption of one of this node's own cases (DESIGN.md, "Adoption: the loop back to the
// origin city"), its update, and its Tombstone. The gate runs before the JWS is checked,
// on the document as delivered, so junk costs one indexed read and no key fetch; what it
// admits is then verified like every item (ingest.ts). Admitted items are rate-limited
// per delivering host, so a host cannot flood the origin with adoptions.

/** Options of {@link createUnsolicitedGate}. */
export interface UnsolicitedGateOptions {
  readonly library: Pick<Library, "get">;
  /** Adoptions one host may deliver per minute unasked, sustained (default 30)… */
  readonly perMinute?: number;
  /** …and in a burst (default 60). */
  readonly burst?: number;
  /** Per-host buckets shared by every process on the database (PostgreSQL); default: in memory. */
  readonly sharedBuckets?: (perSecond: number, burst: number) => { take(host: string): Promise<boolean> };
}

/** Decides what an actor this node does not follow may still deliver. */
export interface UnsolicitedGate {
  /** Null when the item may go on to verification, else why it is refused. */
  admit(document: Readonly<Record<string, unknown>>, deliveredBy: URL): Promise<string | null>;
}

/** Builds the gate over the node's library; the rate buckets live as long as the gate. */
export function createUnsolicitedGate(options: UnsolicitedGateOptions): UnsolicitedGate {
  const { library } = options;
  const perMinute = options.perMinute ?? 30;
  const burst = options.burst ?? 60;
  const hosts =
    options.sharedBuckets?.(perMinute / 60, burst) ??
    createRateBuckets({ perSecond: perMinute / 60, burst, maxKeys: 10_000 });

  async function isOwnCase(id: unknown): Promise<boolean> {
    if (typeof id !== "string" || !/^https?:\/\/\S+$/.test(id) || id.length > 2048) return false;
    const held = await library.get(id);
    return held?.local === true && !held.deleted && held.type === "CaseStudy";
  }

  /** Whether the document is an adoption of one of our cases, or the Tombstone of one we hold. */
  async function concernsOwnCase(document: Readonly<Record<string, unknown>>): Promise<boolean> {
    if (document.type === "Adoption") return isOwnCase(document.case);
    if (document.type !== "Tombstone" || document.formerType !== "Adoption" || typeof document.id !== "string")
      return false;
    const held = await library.get(document.id);
    return held !== null && !held.local && held.type === "Adoption" && (await isOwnCase(held.document.case));
  }

  return {
    async admit(document, deliveredBy) {
      if (!(await concernsOwnCase(document))) return `${deliveredBy.href} is not a peer this node follows`;
      const host = deliveredBy.host.toLowerCase();
      if (!(await hosts.take(host))) return `${host} is delivering adoptions too fast`;
      return null;
    },
  };
}
