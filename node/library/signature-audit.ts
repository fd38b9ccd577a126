import type { JWK } from "jose";
import { documentPublicKeys, storedVersionPages } from "../db/db-copy.ts";
import type { Orm } from "../db/orm.ts";
import { type DocumentCheck, type KeyLoader, verifySignedDocument } from "../signing/verify.ts";

/** A stored version whose signature does not hold, and why. */
export interface AuditFailure {
  readonly itemId: string;
  readonly version: number;
  readonly reason: string;
}

/** What {@link auditStoredSignatures} found. */
export interface SignatureAudit {
  /** Versions whose JWS verified: this city's own, and its peers'. */
  readonly verified: { readonly local: number; readonly peers: number };
  /** Versions whose JWS, document or origin is wrong. */
  readonly failures: readonly AuditFailure[];
  /** Peers' versions not checked because their origin's keys could not be fetched, by origin. */
  readonly unchecked: ReadonlyMap<string, { readonly versions: number; readonly reason: string }>;
}

/** Options of {@link auditStoredSignatures}. */
export interface SignatureAuditOptions {
  /** The schema check of a document (the library's validator). */
  readonly checkDocument: DocumentCheck;
  /** Where peers' published keys come from (a JWKS cache over the outbound guard). */
  readonly loadPeerKeys: KeyLoader;
}

/**
 * Checks every stored version as a receiver would (signing/verify.ts): the city's own
 * versions against the keys in its store, retired ones included; peers' versions against the
 * keys their origin publishes. A version whose text was altered after signing fails here.
 */
export async function auditStoredSignatures(orm: Orm, options: SignatureAuditOptions): Promise<SignatureAudit> {
  const ownKeys = (await documentPublicKeys(orm)) as JWK[];
  // Why the keys of the version being checked could not be had (reset before each check).
  let keysMissing: string | null = null;
  const unchecked = new Map<string, { versions: number; reason: string }>();
  const failures: AuditFailure[] = [];
  const verified = { local: 0, peers: 0 };
  const peerKeys: KeyLoader = async (origin, kid) => {
    const keys = await options.loadPeerKeys(origin, kid);
    if (!keys.ok) keysMissing = keys.reason;
    return keys;
  };
  for await (const page of storedVersionPages(orm)) {
    for (const row of page) {
      let document: Record<string, unknown>;
      try {
        document = JSON.parse(row.document) as Record<string, unknown>;
      } catch {
        failures.push({ itemId: row.itemId, version: row.version, reason: "the stored document is not JSON" });
        continue;
      }
      keysMissing = null;
      const result = await verifySignedDocument(document, row.jws, {
        checkDocument: options.checkDocument,
        loadKeys: row.local ? async () => ({ ok: true, keys: ownKeys }) : peerKeys,
      });
      if (result.ok && (result.id !== row.itemId || result.version !== row.version)) {
        failures.push({
          itemId: row.itemId,
          version: row.version,
          reason: `the signed document is ${result.id} version ${result.version}`,
        });
      } else if (result.ok) {
        verified[row.local ? "local" : "peers"]++;
      } else if (!row.local && result.origin && keysMissing !== null) {
        const entry = unchecked.get(result.origin) ?? { versions: 0, reason: keysMissing };
        entry.versions++;
        unchecked.set(result.origin, entry);
      } else {
        failures.push({ itemId: row.itemId, version: row.version, reason: result.reason });
      }
    }
  }
  return { verified, failures, unchecked };
}
