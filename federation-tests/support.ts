import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnNodeProcess, waitUntilServing, WEGO_BIN as WEGO, type NodeProcess } from "../node/cli/supervisor.ts";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Polls `fn` until it returns a truthy value or the deadline passes; never sleeps blindly. */
export { poll } from "../node/cli/supervisor.ts";

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A temporary folder removed by {@link removeDir}. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `wego-${prefix}-`));
}

/** Removes a temporary folder. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Runs `wego` with arguments to completion. */
export function runWego(
  args: readonly string[],
  input?: string,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [WEGO, ...args], { cwd: ROOT, input, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs `wego` without blocking this process's event loop: a blocked loop keeps pooled
 * keep-alive sockets that the server closes meanwhile, and the next request on one fails.
 */
export function runWegoAsync(
  args: readonly string[],
  input?: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WEGO, ...args], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin!.end(input ?? "");
  });
}

/** As {@link createTokenFor} (`moreArgs`: `--database …`), without blocking the event loop. */
export async function createTokenAsync(
  dataDir: string,
  role: "admin" | "editor",
  name: string = role,
  moreArgs: readonly string[] = [],
): Promise<string> {
  const r = await runWegoAsync(["token", "create", "--data", dataDir, "--role", role, "--name", name, ...moreArgs]);
  if (r.status !== 0) throw new Error(`token create failed: ${r.stderr}`);
  return r.stdout.trim().split("\n").at(-1)!;
}

/** Creates a token in a node's data folder (or the database `moreArgs` name) and returns it. */
export function createTokenFor(
  dataDir: string,
  role: "admin" | "editor",
  name: string = role,
  moreArgs: readonly string[] = [],
): string {
  const r = runWego(["token", "create", "--data", dataDir, "--role", role, "--name", name, ...moreArgs]);
  if (r.status !== 0) throw new Error(`token create failed: ${r.stderr}`);
  return r.stdout.trim().split("\n").at(-1)!;
}

/** A real node process on loopback. */
export type { NodeProcess } from "../node/cli/supervisor.ts";

/** Options of {@link startNodeProcess}. */
export interface StartOptions {
  readonly dataDir: string;
  readonly port?: number;
  readonly args?: readonly string[];
  /** Flags for node itself, before the script (`--cpu-prof` to profile the node). */
  readonly nodeArgs?: readonly string[];
  /** Environment variables added to this process's. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Starts `wego serve` as a child process and waits for /healthz. */
export async function startNodeProcess(options: StartOptions): Promise<NodeProcess> {
  const node = spawnNodeProcess({
    port: options.port ?? (await freePort()),
    dataDir: options.dataDir,
    args: options.args,
    nodeArgs: options.nodeArgs,
    env: options.env,
    cwd: ROOT,
  });
  await waitUntilServing(node);
  return node;
}
