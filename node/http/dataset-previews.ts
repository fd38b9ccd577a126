import { join } from "node:path";
import { storedDocument } from "../../schemas/catalogue.ts";
import type { NodeIdentity } from "../library/identity.ts";
import type { StoredItem } from "../library/library.ts";
import type { Uploads } from "../library/uploads.ts";
import { previewCsvFile } from "../outputs/csv-preview.ts";
import type { CsvPreviewView } from "../../web/templates/csv-preview.ts";
import { SEED_FILE_NAME } from "./files.ts";

/** Where the files this node serves itself are: uploads and the seed datasets' files. */
export interface DatasetPreviewDeps {
  readonly identity: NodeIdentity;
  readonly uploads?: Pick<Uploads, "find">;
  readonly seedFilesDir?: string;
}

/** Distributions previewed on one page, at most. */
const MAX_PREVIEWS = 3;

/**
 * Previews of a dataset's CSV distributions that this node serves itself (`/files/…`):
 * never a remote URL, never a draft's file. Empty for other items.
 */
export async function datasetPreviews(item: StoredItem, deps: DatasetPreviewDeps): Promise<CsvPreviewView[]> {
  if (item.type !== "Dataset" || item.deleted) return [];
  const out: CsvPreviewView[] = [];
  for (const dist of storedDocument(item.document, "Dataset").distributions ?? []) {
    if (out.length === MAX_PREVIEWS) break;
    const href = dist.downloadURL ?? dist.accessURL;
    if (!href) continue;
    const csv =
      dist.mediaType === "text/csv" || dist.format?.toUpperCase() === "CSV" || href.toLowerCase().endsWith(".csv");
    const path = csv ? await localPath(href, deps) : null;
    if (!path) continue;
    const preview = await previewCsvFile(path);
    const name = decodeURIComponent(href.split("/").at(-1) ?? "");
    if (preview) out.push({ name: dist.title ?? name, href, preview });
  }
  return out;
}

/** The file on disk behind one of this node's `/files/` URLs, or null. */
async function localPath(href: string, deps: DatasetPreviewDeps): Promise<string | null> {
  const prefix = `${deps.identity.origin}/files/`;
  if (!href.startsWith(prefix)) return null;
  const parts = href.slice(prefix.length).split("/");
  if (parts.length === 1 && deps.seedFilesDir && SEED_FILE_NAME.test(parts[0]!))
    return join(deps.seedFilesDir, parts[0]!);
  if (parts.length === 2 && deps.uploads && /^[0-9a-f]{64}$/.test(parts[0]!)) {
    const found = await deps.uploads.find(parts[0]!);
    // Only a published file: the same rule as GET /files/<sha256>/<name>.
    return found?.row.publishedAt ? found.path : null;
  }
  return null;
}
