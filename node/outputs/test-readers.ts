import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

// Test support: the node's outputs read back by independent libraries (Debian's Python
// csv module, feedparser and bibtexparser), never by the code that wrote them.

const python = "/usr/bin/python3";
const script = fileURLToPath(new URL("./fixtures/read-output.py", import.meta.url));

/** Whether Debian's Python has `module` (CI installs them: see .ci/run). */
export function hasPythonModule(module: string): boolean {
  return existsSync(python) && spawnSync(python, ["-c", `import ${module}`]).status === 0;
}

/** Whether a test that needs `module` must be skipped: only outside CI, where it is installed. */
export function skipWithout(module: string): boolean {
  return !hasPythonModule(module) && process.env.CI !== "true";
}

/** `bytes` read by `read-output.py <kind>`, as the JSON it prints. */
export function readOutput<T>(kind: "csv" | "atom" | "bibtex", bytes: Uint8Array | string): T {
  const run = spawnSync(python, [script, kind], { input: bytes, maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`read-output.py ${kind} failed: ${run.stderr.toString()}`);
  return JSON.parse(run.stdout.toString("utf8")) as T;
}
