import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

// Runs city nodes as `wego serve` child processes on loopback: starts them, waits until they
// serve, stops them. Used by `wego demo` and by the process-level tests (federation-tests/).

/** The `wego` executable, run with the current Node.js. */
export const WEGO_BIN = fileURLToPath(new URL("../../bin/wego.js", import.meta.url));

/**
 * Calls `fn` every `everyMs` until it returns a truthy value (errors count as "not yet") and
 * resolves to that value; rejects when `deadlineMs` has passed, or at once when `signal` aborts.
 */
export async function poll<T>(
  label: string,
  fn: () => Promise<T | undefined | null | false>,
  deadlineMs = 20_000,
  everyMs = 100,
  signal?: AbortSignal,
): Promise<T> {
  const end = Date.now() + deadlineMs;
  let lastError: unknown;
  while (Date.now() < end) {
    signal?.throwIfAborted();
    try {
      const value = await fn();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    signal?.throwIfAborted();
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${label}${lastError ? `: ${String(lastError)}` : ""}`);
}

/** Options of {@link spawnNodeProcess}. */
export interface NodeProcessOptions {
  /** Port to serve on, on 127.0.0.1; the origin is `http://127.0.0.1:<port>`. */
  readonly port: number;
  readonly dataDir: string;
  /** More `wego serve` flags (`--city busan`, `--no-seed`, …). */
  readonly args?: readonly string[];
  /** Working folder of the process (default this process's). */
  readonly cwd?: string;
  /** The `wego` script to run (default this checkout's `bin/wego.js`): another checkout's, to compare. */
  readonly bin?: string;
  /** Environment variables added to this process's. */
  readonly env?: Readonly<Record<string, string>>;
  /** Flags for node itself, before the script (`--cpu-prof`: not allowed in NODE_OPTIONS). */
  readonly nodeArgs?: readonly string[];
  /** How much of the process's output {@link NodeProcess.output} keeps, in characters, the latest (default all). */
  readonly outputLimit?: number;
  /** Called with each chunk the process prints (stdout and stderr). */
  readonly onOutput?: (text: string) => void;
}

/** A `wego serve` child process on loopback. */
export interface NodeProcess {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Resolves once the process has exited. */
  readonly exited: Promise<void>;
  /** Whether the process has not exited yet. */
  isRunning(): boolean;
  /** Everything the process printed so far (up to `outputLimit`). */
  output(): string;
  /** SIGTERM and wait for exit; with `graceMs`, SIGKILL if it is still running by then. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
}

/**
 * Starts `wego serve` on `127.0.0.1:<port>`, with `--allow-private-address 127.0.0.1` so that
 * nodes on loopback can peer. Does not wait for it: see {@link waitUntilServing}.
 */
export function spawnNodeProcess(options: NodeProcessOptions): NodeProcess {
  const { port, dataDir } = options;
  const url = `http://127.0.0.1:${port}`;
  const args = [
    ...(options.nodeArgs ?? []),
    options.bin ?? WEGO_BIN,
    "serve",
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
    "--origin",
    url,
    "--data",
    dataDir,
    "--allow-private-address",
    "127.0.0.1",
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: options.env ? { ...process.env, ...options.env } : undefined,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const limit = options.outputLimit ?? Infinity;
  let out = "";
  const collect = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    out += text;
    if (out.length > limit) out = out.slice(-limit);
    options.onOutput?.(text);
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const isRunning = () => child.exitCode === null && child.signalCode === null;
  const signalAndWait = async (signal: NodeJS.Signals, graceMs?: number) => {
    if (isRunning()) child.kill(signal);
    const timer = graceMs === undefined ? undefined : setTimeout(() => isRunning() && child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    url,
    port,
    dataDir,
    child,
    exited,
    isRunning,
    output: () => out,
    stop: (graceMs) => signalAndWait("SIGTERM", graceMs),
    kill: () => signalAndWait("SIGKILL"),
  };
}

/**
 * Resolves once the node answers `GET /healthz` with 200. Rejects when it exits first (with
 * its output in the message), after `timeoutMs` (default 120 s), or when `signal` aborts.
 */
export async function waitUntilServing(node: NodeProcess, timeoutMs = 120_000, signal?: AbortSignal): Promise<void> {
  const done = new AbortController();
  const aborted = signal ? AbortSignal.any([signal, done.signal]) : done.signal;
  try {
    await Promise.race([
      poll(
        `node on ${node.url} to serve`,
        async () => (await fetch(`${node.url}/healthz`)).ok,
        timeoutMs,
        100,
        aborted,
      ),
      node.exited.then(() => {
        throw new Error(`node exited before serving: ${node.output()}`);
      }),
    ]);
  } finally {
    // Ends whichever of the two is still going.
    done.abort();
  }
}
