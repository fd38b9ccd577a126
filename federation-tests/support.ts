import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WEGO = join(ROOT, "bin", "wego.js");

/** Polls `fn` until it returns a truthy value or the deadline passes; never sleeps blindly. */
export async function poll<T>(label: string, fn: () => Promise<T | undefined | null | false>, deadlineMs = 20_000, everyMs = 100): Promise<T> {
  const end = Date.now() + deadlineMs;
  let lastError: unknown;
  while (Date.now() < end) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${label}${lastError ? `: ${String(lastError)}` : ""}`);
}

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
export function runWego(args: readonly string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [WEGO, ...args], { cwd: ROOT, input, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs `wego` without blocking this process's event loop: a blocked loop keeps pooled
 * keep-alive sockets that the server closes meanwhile, and the next request on one fails.
 */
export function runWegoAsync(args: readonly string[], input?: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
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

/** As {@link createTokenFor}, without blocking the event loop. */
export async function createTokenAsync(dataDir: string, role: "admin" | "editor", name: string = role): Promise<string> {
  const r = await runWegoAsync(["token", "create", "--data", dataDir, "--role", role, "--name", name]);
  if (r.status !== 0) throw new Error(`token create failed: ${r.stderr}`);
  return r.stdout.trim().split("\n").at(-1)!;
}

/** Creates a token in a node's data folder and returns it. */
export function createTokenFor(dataDir: string, role: "admin" | "editor", name: string = role): string {
  const r = runWego(["token", "create", "--data", dataDir, "--role", role, "--name", name]);
  if (r.status !== 0) throw new Error(`token create failed: ${r.stderr}`);
  return r.stdout.trim().split("\n").at(-1)!;
}

/** A real node process on loopback. */
export interface NodeProcess {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
}

/** Options of {@link startNodeProcess}. */
export interface StartOptions {
  readonly dataDir: string;
  readonly port?: number;
  readonly args?: readonly string[];
}

/** Starts `wego serve` as a child process and waits for /healthz. */
export async function startNodeProcess(options: StartOptions): Promise<NodeProcess> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [WEGO, "serve", "--port", String(port), "--host", "127.0.0.1", "--origin", url, "--data", options.dataDir, "--allow-private-address", "127.0.0.1", ...(options.args ?? [])],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const wait = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  await Promise.race([
    poll(`node on ${url} to serve`, async () => (await fetch(`${url}/healthz`)).ok, 120_000),
    exited.then(() => {
      throw new Error(`node exited before serving: ${out}`);
    }),
  ]);
  return { url, port, dataDir: options.dataDir, child, output: () => out, stop: () => wait("SIGTERM"), kill: () => wait("SIGKILL") };
}
