import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileTypeFromFile } from "file-type";
import type { FileRow, FileStore } from "../db/file-store.ts";

// Files uploaded for datasets' distributions: streamed to a temporary file while their
// SHA-256 and size are counted (never held whole in memory), then kept under their digest
// (content-addressed, so the same bytes are stored once and a name can never point
// anywhere else). Their media type comes from their content (file-type), falling back to
// the extension only for text formats whose bytes look like text; the browser's
// Content-Type is never asked.

/** The default largest upload: 25 MB. */
export const DEFAULT_MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

/** A file received into a temporary place, not yet kept. */
export interface ReceivedFile {
  readonly temp: string;
  readonly sha256: string;
  readonly byteSize: number;
  /** The file's name made safe for a URL path segment and a header. */
  readonly name: string;
}

/** Outcome of {@link Uploads.receive}. */
export type ReceiveResult =
  | { readonly ok: true; readonly file: ReceivedFile }
  | { readonly ok: false; readonly reason: "too-large" | "empty"; readonly name: string };

/** A kept file: what a distribution records of it. */
export interface StoredUpload {
  readonly sha256: string;
  readonly byteSize: number;
  readonly mediaType: string;
  readonly name: string;
  /** A format name from the extension (e.g. "CSV"), if it has one. */
  readonly format?: string;
}

/** Options of {@link createUploads}. */
export interface UploadsOptions {
  /** Where files are kept (`<data>/files`); temporary files go to its `tmp/`. */
  readonly dir: string;
  /** The largest file accepted, in bytes (default {@link DEFAULT_MAX_UPLOAD_BYTES}). */
  readonly maxBytes?: number;
  readonly files: FileStore;
  readonly now?: () => Date;
}

/** Storage of uploaded files. */
export interface Uploads {
  readonly maxBytes: number;
  /** Streams a file to a temporary place, hashing it; refuses (and removes) one over the limit. */
  receive(stream: Readable, filename: string): Promise<ReceiveResult>;
  /** Keeps a received file under its digest and records it. */
  keep(file: ReceivedFile): Promise<StoredUpload>;
  /** Removes a received file that is not kept. */
  discard(file: ReceivedFile): Promise<void>;
  /** A kept file's row and path on disk; null if unknown. */
  find(sha256: string): Promise<{ row: FileRow; path: string } | null>;
  /** Marks the node's files that a document's distributions name as published. */
  publishReferenced(document: Record<string, unknown>, origin: string): Promise<void>;
}

/** Text formats recognised by extension when their bytes look like text. */
const TEXT_TYPES: Readonly<Record<string, { mediaType: string; format: string }>> = {
  csv: { mediaType: "text/csv", format: "CSV" },
  tsv: { mediaType: "text/tab-separated-values", format: "TSV" },
  json: { mediaType: "application/json", format: "JSON" },
  geojson: { mediaType: "application/geo+json", format: "GeoJSON" },
  jsonld: { mediaType: "application/ld+json", format: "JSON-LD" },
  ndjson: { mediaType: "application/x-ndjson", format: "NDJSON" },
  txt: { mediaType: "text/plain", format: "TXT" },
  md: { mediaType: "text/markdown", format: "Markdown" },
  ttl: { mediaType: "text/turtle", format: "Turtle" },
  xml: { mediaType: "application/xml", format: "XML" },
};

/** A path segment of a download URL: `/files/<sha256>/<name>`. */
export const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * A file name as the browser gave it, made into one safe path segment: the last path
 * component only, letters, digits, dot, dash and underscore, no leading dot, at most 100
 * characters. Anything else (`../`, `\`, NUL, spaces, non-Latin letters) becomes `-`.
 */
export function safeFileName(raw: string): string {
  const base = raw.split(/[/\\]/).pop() ?? "";
  const clean = (part: string) =>
    part
      .normalize("NFKD")
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/-{2,}/g, "-")
      .replace(/^[.-]+/, "");
  const ext = /\.([A-Za-z0-9]{1,10})$/.exec(base)?.[1];
  const stemRaw = ext && base.length > ext.length + 1 ? base.slice(0, -(ext.length + 1)) : ext ? "" : base;
  const stem = clean(stemRaw).slice(0, 80);
  const name = `${/[A-Za-z0-9]/.test(stem) ? stem : "file"}${ext ? `.${ext}` : ""}`;
  return SAFE_NAME.test(name) ? name : "file";
}

function extensionOf(name: string): string {
  return /\.([A-Za-z0-9]{1,10})$/.exec(name)?.[1]?.toLowerCase() ?? "";
}

/** Whether the first bytes of a file read as text: valid UTF-8 without NUL or other C0 controls but tab, CR, LF. */
async function looksLikeText(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const buf = Buffer.alloc(8192);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    if (/[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(head.toString("latin1"))) return false;
    // A cut in the middle of a multi-byte character at the end of the sample is fine.
    const text = new TextDecoder("utf-8", { fatal: false }).decode(head);
    const bad = (text.match(/\uFFFD/g) ?? []).length;
    return bad <= (bytesRead === buf.length ? 1 : 0);
  } finally {
    await handle.close();
  }
}

/** The digests a document's distributions name under this node's `/files/`. */
export function referencedFiles(document: Record<string, unknown>, origin: string): string[] {
  const out: string[] = [];
  const list = document.distributions;
  if (!Array.isArray(list)) return out;
  const prefix = `${origin}/files/`;
  for (const d of list) {
    const url = d && typeof d === "object" ? (d as Record<string, unknown>).downloadURL : undefined;
    if (typeof url !== "string" || !url.startsWith(prefix)) continue;
    const m = /^([0-9a-f]{64})\//.exec(url.slice(prefix.length));
    if (m) out.push(m[1]!);
  }
  return out;
}

/**
 * Removes temporary upload files older than `olderThanMs` (default an hour) that a process
 * which stopped mid-upload left in `<dir>/tmp`; newer ones may belong to an upload in flight.
 * Returns how many it removed.
 */
export async function sweepTemporaryUploads(
  dir: string,
  olderThanMs = 60 * 60 * 1000,
  now = Date.now(),
): Promise<number> {
  const tmpDir = join(dir, "tmp");
  const names = await readdir(tmpDir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    const info = await stat(join(tmpDir, name)).catch(() => null);
    if (info?.isFile() && now - info.mtimeMs > olderThanMs) {
      await rm(join(tmpDir, name), { force: true });
      removed++;
    }
  }
  return removed;
}

/** The upload storage under `options.dir`. */
export function createUploads(options: UploadsOptions): Uploads {
  const { dir, files } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const now = options.now ?? (() => new Date());
  const tmpDir = join(dir, "tmp");
  const pathOf = (sha256: string) => join(dir, sha256.slice(0, 2), sha256);

  return {
    maxBytes,

    async receive(stream, filename) {
      const name = safeFileName(filename);
      await mkdir(tmpDir, { recursive: true, mode: 0o700 });
      const temp = join(tmpDir, randomBytes(12).toString("hex"));
      const hash = createHash("sha256");
      let byteSize = 0;
      let tooLarge = false;
      try {
        await pipeline(
          stream,
          async function* (source: AsyncIterable<Buffer>) {
            for await (const chunk of source) {
              byteSize += chunk.length;
              if (byteSize > maxBytes) {
                tooLarge = true;
                // Keep reading (and dropping) the rest so the request body is consumed.
                continue;
              }
              hash.update(chunk);
              yield chunk;
            }
          },
          createWriteStream(temp, { mode: 0o600 }),
        );
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      if (tooLarge || byteSize === 0) {
        await rm(temp, { force: true });
        return { ok: false, reason: tooLarge ? "too-large" : "empty", name };
      }
      return { ok: true, file: { temp, sha256: hash.digest("hex"), byteSize, name } };
    },

    async keep(file) {
      const sniffed = await fileTypeFromFile(file.temp).catch(() => undefined);
      const ext = extensionOf(file.name);
      const text = !sniffed && TEXT_TYPES[ext] && (await looksLikeText(file.temp)) ? TEXT_TYPES[ext] : undefined;
      const mediaType = (sniffed?.mime ?? text?.mediaType ?? "application/octet-stream").toLowerCase();
      const format = sniffed ? sniffed.ext.toUpperCase() : text?.format;
      const target = pathOf(file.sha256);
      await mkdir(join(dir, file.sha256.slice(0, 2)), { recursive: true, mode: 0o700 });
      const existing = await stat(target).catch(() => null);
      if (existing?.isFile() && existing.size === file.byteSize) await rm(file.temp, { force: true });
      else await rename(file.temp, target);
      await files.record({
        sha256: file.sha256,
        byteSize: file.byteSize,
        mediaType,
        createdAt: now().toISOString(),
      });
      return { sha256: file.sha256, byteSize: file.byteSize, mediaType, name: file.name, format };
    },

    async discard(file) {
      await rm(file.temp, { force: true });
    },

    async find(sha256) {
      if (!/^[0-9a-f]{64}$/.test(sha256)) return null;
      const row = await files.get(sha256);
      return row ? { row, path: pathOf(sha256) } : null;
    },

    async publishReferenced(document, origin) {
      await files.markPublished(referencedFiles(document, origin), now().toISOString());
    },
  };
}
