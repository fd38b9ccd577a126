import type { JWK } from "jose";
import { parseBoundedJson } from "../net/json-bounds.ts";
import { MAX_SIGNED_ITEM_LENGTH } from "./signed-item.ts";
import { verifySignedDocument, type DocumentCheck, type KeyLoader } from "./verify.ts";

/** One line of a bundle that did not verify, and why. */
export interface BundleFailure {
  /** The line's number in the file, from 1. */
  readonly line: number;
  readonly id?: string;
  readonly reason: string;
}

/** What {@link verifyBundle} found. */
export interface BundleReport {
  /** Lines that held an item (blank lines are skipped). */
  readonly checked: number;
  readonly valid: number;
  readonly failures: readonly BundleFailure[];
  /** How many valid items each origin signed. */
  readonly origins: Readonly<Record<string, number>>;
}

/** Options of {@link verifyBundle}. */
export interface VerifyBundleOptions {
  readonly loadKeys: KeyLoader;
  readonly checkDocument: DocumentCheck;
}

/**
 * Checks every line of a signed bundle (NDJSON of `{"document","jws"}`, as `/api/export`
 * writes it) as a receiver would check a delivered item: the document, its `attributedTo`
 * and its signing key belong to one origin, the detached JWS verifies against that origin's
 * keys, and the document keeps to its schema. A line that is not such an object fails with
 * the reason; the other lines are checked all the same.
 */
export async function verifyBundle(lines: AsyncIterable<string>, options: VerifyBundleOptions): Promise<BundleReport> {
  let checked = 0;
  let valid = 0;
  let number = 0;
  const failures: BundleFailure[] = [];
  const origins: Record<string, number> = {};
  for await (const text of lines) {
    number++;
    if (text.trim() === "") continue;
    checked++;
    const fail = (reason: string, id?: string) => failures.push({ line: number, ...(id ? { id } : {}), reason });
    if (text.length > MAX_SIGNED_ITEM_LENGTH + 10_000) {
      fail(`the line is longer than a signed item may be (${MAX_SIGNED_ITEM_LENGTH} characters)`);
      continue;
    }
    const parsed = parseBoundedJson(text, { maxNodes: 200_000, maxDepth: 24 });
    if (!parsed.ok) {
      fail(`not JSON: ${parsed.reason}`);
      continue;
    }
    const entry = parsed.value as { document?: unknown; jws?: unknown } | null;
    const document = entry?.document;
    if (!document || typeof document !== "object" || Array.isArray(document) || typeof entry?.jws !== "string") {
      fail('not a {"document","jws"} object');
      continue;
    }
    const result = await verifySignedDocument(document as Record<string, unknown>, entry.jws, options);
    if (!result.ok) {
      fail(result.reason, result.id);
      continue;
    }
    valid++;
    origins[result.origin] = (origins[result.origin] ?? 0) + 1;
  }
  return { checked, valid, failures, origins };
}

/** The file name under which an origin's JWKS is kept in a keys folder: `localhost_8080.json`. */
export function keysFileName(origin: string): string {
  return `${new URL(origin).host.replace(":", "_")}.json`;
}

/** Wraps a key loader so that each origin's keys (or failure) are fetched once per run. */
export function oncePerOrigin(load: KeyLoader): KeyLoader & { readonly loaded: Map<string, JWK[]> } {
  const results = new Map<string, ReturnType<KeyLoader>>();
  const loaded = new Map<string, JWK[]>();
  const once: KeyLoader = (origin, kid) => {
    let result = results.get(origin);
    if (!result) {
      result = load(origin, kid).then((r) => {
        if (r.ok) loaded.set(origin, r.keys);
        return r;
      });
      results.set(origin, result);
    }
    return result;
  };
  return Object.assign(once, { loaded });
}
