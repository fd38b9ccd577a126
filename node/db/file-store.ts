import type { Orm } from "./orm.ts";

// The `uploaded_files` table (migration 007): what the node knows of each stored upload.
// The bytes live on disk under their SHA-256 (library/uploads.ts); a file is served only
// once an item naming it is published.

/** One uploaded file. */
export interface FileRow {
  readonly sha256: string;
  readonly byteSize: number;
  readonly mediaType: string;
  readonly createdAt: string;
  /** When an item naming the file was first published; null while only drafts name it. */
  readonly publishedAt: string | null;
}

interface RawFile {
  sha256: string;
  byte_size: number;
  media_type: string;
  created_at: string;
  published_at: string | null;
}

/** Reads and writes of uploaded files' rows. */
export interface FileStore {
  /** Records a stored file; the same bytes again keep their first row. */
  record(row: Omit<FileRow, "publishedAt">): Promise<void>;
  get(sha256: string): Promise<FileRow | null>;
  /** Marks files as published (served from now on); unknown ones are ignored. */
  markPublished(sha256s: readonly string[], at: string): Promise<void>;
}

/** The file store over the node's database. */
export function createFileStore(orm: Orm): FileStore {
  const knex = () => orm.em.getKnex();
  return {
    async record(row) {
      await knex()("uploaded_files")
        .insert({
          sha256: row.sha256,
          byte_size: row.byteSize,
          media_type: row.mediaType,
          created_at: row.createdAt,
          published_at: null,
        })
        .onConflict("sha256")
        .ignore();
    },
    async get(sha256) {
      const r = (await knex()("uploaded_files").where("sha256", sha256).first()) as RawFile | undefined;
      return r
        ? {
            sha256: r.sha256,
            byteSize: Number(r.byte_size),
            mediaType: r.media_type,
            createdAt: r.created_at,
            publishedAt: r.published_at,
          }
        : null;
    },
    async markPublished(sha256s, at) {
      if (sha256s.length === 0) return;
      await knex()("uploaded_files")
        .whereIn("sha256", [...sha256s])
        .whereNull("published_at")
        .update({
          published_at: at,
        });
    },
  };
}
