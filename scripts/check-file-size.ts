// Fails when a source file in node/ or web/ grows past MAX_LINES: a file that long holds more
// than one concern and should be split (STYLE.md, "split a file before it passes ~300 lines").
// Run by `npm test` as `npm run check:size`; pass directories to check others.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** The most lines a source file may have. */
// "About 350" (issue 9): a file that grows past 375 is split by concern, not trimmed to fit.
const MAX_LINES = 375;

/** Files that may be longer: generated code, tests, and the locale string tables. */
const EXEMPT = [/\.generated\.ts$/, /\.test\.ts$/, /^web\/locales\//, /^web\/i18n\.ts$/];

/** What counts as a source file. */
const SOURCE = /\.(ts|mts|js|mjs|cjs|css)$/;

/** One file over the limit. */
interface OversizedFile {
  readonly path: string;
  readonly lines: number;
}

/** Counts lines as `wc -l` does, plus a last line without a newline. */
function countLines(text: string): number {
  if (text === "") return 0;
  const newlines = text.split("\n").length - 1;
  return text.endsWith("\n") ? newlines : newlines + 1;
}

/** Lists the non-exempt source files under `roots` (paths relative to `base`) with more than `max` lines. */
function findOversizedFiles(base: string, roots: readonly string[], max = MAX_LINES): OversizedFile[] {
  const found: OversizedFile[] = [];
  for (const root of roots) {
    for (const entry of readdirSync(join(base, root), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !SOURCE.test(entry.name)) continue;
      const path = relative(base, join(entry.parentPath, entry.name)).split("\\").join("/");
      if (EXEMPT.some((pattern) => pattern.test(path))) continue;
      const lines = countLines(readFileSync(join(base, path), "utf8"));
      if (lines > max) found.push({ path, lines });
    }
  }
  return found.sort((a, b) => b.lines - a.lines);
}

const roots = process.argv.slice(2);
const oversized = findOversizedFiles(process.cwd(), roots.length > 0 ? roots : ["node", "web"]);
for (const file of oversized) console.error(`${file.path}: ${file.lines} lines (limit ${MAX_LINES})`);
if (oversized.length > 0) {
  console.error(`\n${oversized.length} file(s) over ${MAX_LINES} lines: split each by concern.`);
  process.exitCode = 1;
}
