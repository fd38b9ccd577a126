import { readFile, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { decodeSegments, type SegmentData } from "./segment.ts";

/**
 * The saved base. Its name changes when what is indexed changes meaning, so an upgraded
 * node rebuilds instead of serving the old values: v2 files a peer's item under its
 * verified origin, where `base.segs` held the city its document claimed; v3 keeps the words
 * as written (typo tolerance) and the translated titles and summaries (results in the
 * reader's language).
 */
const BASE_FILE = "base-v3.segs";
const FORMER_BASE_FILES = ["base.segs", "base-v2.segs"];

/** What {@link readBaseFile} finds: the base's pieces and the `item_versions.seq` it covers, or why not. */
export type SavedBase =
  | { readonly ok: true; readonly parts: SegmentData[]; readonly seq: number }
  | { readonly ok: false; readonly reason: "missing" | "invalid" };

/** Where a node keeps its base: `<dataDir>/search/`; undefined for `":memory:"`, which keeps nothing on disk. */
export function baseFileOf(dataDir: string): string | undefined {
  return dataDir === ":memory:" ? undefined : join(dataDir, "search", BASE_FILE);
}

/** Removes bases saved beside `file` in a former format, so no stale values are served. */
export async function removeFormerBases(file: string): Promise<void> {
  for (const former of FORMER_BASE_FILES) await rm(join(dirname(file), former), { force: true });
}

/** Reads the base saved at `file` (the compaction worker writes it). */
export async function readBaseFile(file: string): Promise<SavedBase> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch {
    return { ok: false, reason: "missing" };
  }
  const decoded = decodeSegments(buf);
  const seq = Number(decoded?.extra.seq);
  if (!decoded || !Number.isFinite(seq)) return { ok: false, reason: "invalid" };
  return { ok: true, parts: decoded.parts, seq };
}
