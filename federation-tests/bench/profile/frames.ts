/**
 * Shared by the profile summaries: names a V8 call frame and the code it belongs to (a
 * package in node_modules, Node's own `node:` modules, or a file of this repository).
 */

/** A call frame as V8's CPU and sampled heap profiles write it. */
export interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

/** The code a frame belongs to: `lunr`, `@mikro-orm/core`, `node:internal`, `node/search`, `(gc)`… */
export function ownerOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "/node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith("node:")) return url.startsWith("node:internal") ? "node:internal" : url;
  const repo = /\/(node|web|federation-tests|bin)\/(.*)$/.exec(url);
  if (repo) {
    const parts = repo[2]!.split("/");
    return parts.length > 1 ? `${repo[1]}/${parts[0]}` : `${repo[1]}/${parts[0]}`;
  }
  return url;
}

/** Whether a frame is this repository's code (not a dependency, not Node's). */
export function isOwnCode(frame: CallFrame): boolean {
  return /\/(node|web)\//.test(frame.url) && !frame.url.includes("/node_modules/");
}

/** `name (file:line)` with the path shortened to what follows node_modules/ or the repository. */
export function frameLabel(frame: CallFrame): string {
  const name = frame.functionName || "(anonymous)";
  if (!frame.url) return name;
  const short = frame.url
    .replace(/^file:\/\//, "")
    .replace(/^.*\/node_modules\//, "")
    .replace(/^.*?\/(node|web|federation-tests|bin)\//, "$1/");
  return `${name} (${short}:${frame.lineNumber + 1})`;
}

/** Adds `value` to `key` of a map of totals. */
export function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

/** The `n` largest entries of a map of totals, largest first. */
export function top(map: Map<string, number>, n: number): [string, number][] {
  return [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
}

/** Prints a titled list of totals with their share of `total`. */
export function printTop(title: string, rows: [string, number][], total: number, unit: (v: number) => string): void {
  console.log(`\n${title}`);
  for (const [key, value] of rows)
    console.log(`  ${unit(value).padStart(10)}  ${((value / total) * 100).toFixed(1).padStart(5)} %  ${key}`);
}

export const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
export const ms = (micros: number) => `${(micros / 1000).toFixed(0)} ms`;
