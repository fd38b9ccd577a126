import { open } from "node:fs/promises";
import { parse } from "csv-parse/sync";

// The first rows of a CSV file the node serves itself, for a dataset's page: read from the
// start of the file only (bounded bytes, rows, columns and cell length), parsed by csv-parse.

/** The first rows of a CSV file: its header and up to {@link PreviewLimits.rows} records. */
export interface CsvPreview {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Whether the file has more than what is shown (rows, columns or bytes). */
  readonly truncated: boolean;
}

/** Bounds of a preview. */
export interface PreviewLimits {
  /** Records shown (default 20). */
  readonly rows: number;
  /** Bytes read from the start of the file (default 64 KiB). */
  readonly bytes: number;
  /** Columns shown (default 20). */
  readonly columns: number;
  /** Characters of one cell (default 200). */
  readonly cell: number;
}

const DEFAULTS: PreviewLimits = { rows: 20, bytes: 64 * 1024, columns: 20, cell: 200 };

/**
 * The first rows of the CSV file at `path`, or null when its start does not parse as CSV
 * (the page then shows no preview: the file is still there to download).
 */
export async function previewCsvFile(path: string, limits: Partial<PreviewLimits> = {}): Promise<CsvPreview | null> {
  const max = { ...DEFAULTS, ...limits };
  const file = await open(path, "r").catch(() => null);
  if (!file) return null;
  let bytes: Buffer;
  let size: number;
  try {
    size = (await file.stat()).size;
    const buffer = Buffer.alloc(Math.min(size, max.bytes + 1));
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    bytes = buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
  const cut = bytes.length > max.bytes;
  // A cut file ends mid-record: keep whole lines only (a quoted field over the cut fails to
  // parse, and then there is no preview rather than a wrong one).
  const text = new TextDecoder("utf-8").decode(cut ? bytes.subarray(0, bytes.lastIndexOf(0x0a) + 1) : bytes);
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      // The header, the rows shown, and one more to tell whether there are more.
      to: max.rows + 2,
    }) as string[][];
  } catch {
    return null;
  }
  const [header, ...all] = records;
  const rows = all.slice(0, max.rows);
  if (!header || header.length === 0) return null;
  const clip = (record: readonly string[]) =>
    record.slice(0, max.columns).map((cell) => (cell.length > max.cell ? `${cell.slice(0, max.cell)}…` : cell));
  const wide = records.some((r) => r.length > max.columns);
  return {
    header: clip(header),
    rows: rows.map(clip),
    truncated: cut || wide || all.length > max.rows,
  };
}
