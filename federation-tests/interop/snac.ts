import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { poll, ROOT } from "../support.ts";

// snac 2.94 (https://codeberg.org/grunfink/snac2, MIT), a small ActivityPub server in C by
// other people, as a real peer on loopback. Built from the vendored tarball once per run
// into .cache/snac (ignored by git); the tarball is a test input, never part of the node.

/** The vendored snac source (MIT: LICENSE inside the tarball; see vendor/README.md). */
export const SNAC_TARBALL = join(ROOT, "federation-tests/interop/vendor/snac2-4f27bb0.tar.gz");
const CACHE = join(ROOT, ".cache/snac");
/** The built binary. */
export const SNAC_BIN = join(CACHE, "snac2/snac");

/**
 * Why snac cannot be built on this machine, or null. In CI (`CI` set) nothing may skip:
 * `.ci/run` installs the compiler and libraries, and a missing one is a failure.
 */
export function snacUnavailable(): string | null {
  if (process.env.CI === "true") return null;
  if (spawnSync("sh", ["-c", "command -v gcc && command -v make"]).status !== 0)
    return "gcc or make is missing (apt-get install gcc make libcurl4-openssl-dev libssl-dev)";
  return null;
}

/**
 * Builds snac once per checkout: a lock (an exclusive mkdir) keeps parallel test files from
 * building twice; the others wait for the binary. Throws with the compiler's output on failure.
 */
export async function buildSnac(): Promise<string> {
  if (existsSync(SNAC_BIN)) return SNAC_BIN;
  mkdirSync(CACHE, { recursive: true });
  const lock = join(CACHE, "build.lock");
  let owner = false;
  try {
    mkdirSync(lock);
    owner = true;
  } catch {
    // Another file builds it; a lock older than 5 minutes is a crashed build's.
    const since = (() => {
      try {
        return statSync(lock).mtimeMs;
      } catch {
        return 0; // gone meanwhile: the other build ended
      }
    })();
    if (since > 0 && Date.now() - since > 5 * 60_000) {
      rmSync(lock, { recursive: true, force: true });
      return buildSnac();
    }
  }
  if (!owner) {
    await poll("snac to be built by another test file", async () => existsSync(SNAC_BIN) || !existsSync(lock), 300_000);
    if (!existsSync(SNAC_BIN)) throw new Error("snac's build failed in another test file");
    return SNAC_BIN;
  }
  try {
    rmSync(join(CACHE, "snac2"), { recursive: true, force: true });
    const untar = spawnSync("tar", ["-xzf", SNAC_TARBALL, "-C", CACHE], { encoding: "utf8" });
    if (untar.status !== 0) throw new Error(`could not unpack snac: ${untar.stderr}`);
    const make = await run("make", ["-C", join(CACHE, "snac2"), "-j2"]);
    if (make.status !== 0 || !existsSync(SNAC_BIN))
      throw new Error(
        `snac's build failed (need gcc make libcurl4-openssl-dev libssl-dev):\n${make.output.slice(-4000)}`,
      );
    return SNAC_BIN;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Runs a command without blocking the event loop (node processes under test keep answering). */
function run(cmd: string, args: readonly string[], input = ""): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, output }));
    // A command that reads no input may exit before taking it (EPIPE): its status and output
    // say how it went, so a closed stdin is not an error of the test.
    child.stdin!.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") reject(error);
    });
    child.stdin!.end(input);
  });
}

/** A snac server on loopback with one user. */
export interface SnacPeer {
  readonly dir: string;
  readonly origin: string;
  readonly host: string;
  readonly user: string;
  /** The user's actor URL. */
  readonly actor: string;
  /** `@user@host`. */
  readonly handle: string;
  readonly password: string;
  /** Runs a `snac` command on this server's folder (`follow`, `note`, `boost`…). */
  command(...args: string[]): Promise<{ status: number | null; output: string }>;
  /** Every JSON file under a folder of the server's data (e.g. `object`, `user/carol/following`). */
  jsonFiles(folder: string): Record<string, unknown>[];
  /** The user's timeline page, as the user sees it logged in (HTML). */
  timeline(): Promise<string>;
  /** What the server printed. */
  log(): string;
  stop(): Promise<void>;
}

/** Creates a snac data folder, adds `user` and starts `snac httpd` on `port`. */
export async function startSnac(bin: string, dir: string, port: number, user = "carol"): Promise<SnacPeer> {
  const host = `127.0.0.1:${port}`;
  const init = await run(bin, ["init", dir], `127.0.0.1\n${port}\n${host}\n\n\n`);
  if (init.status !== 0) throw new Error(`snac init failed: ${init.output}`);
  const configFile = join(dir, "server.json");
  const config = JSON.parse(readFileSync(configFile, "utf8")) as Record<string, unknown>;
  // No TLS on loopback; level 2 logs every activity it sends and receives.
  writeFileSync(configFile, JSON.stringify({ ...config, protocol: "http", dbglevel: 2 }, null, 2));
  const added = await run(bin, ["adduser", dir, user], `${user}\n`);
  const password = /password is (\S+)/.exec(added.output)?.[1];
  if (added.status !== 0 || !password) throw new Error(`snac adduser failed: ${added.output}`);
  let out = "";
  const child: ChildProcess = spawn(bin, ["httpd", dir], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const origin = `http://${host}`;
  await poll("snac to serve", async () => {
    const res = await fetch(`${origin}/${user}`, { headers: { accept: "application/activity+json" } }).catch(
      () => null,
    );
    return res?.status === 200;
  });
  return {
    dir,
    origin,
    host,
    user,
    actor: `${origin}/${user}`,
    handle: `@${user}@${host}`,
    password,
    command: (...args) => run(bin, [args[0]!, dir, ...args.slice(1)]),
    jsonFiles(folder) {
      const found: Record<string, unknown>[] = [];
      const walk = (path: string) => {
        if (!existsSync(path)) return;
        for (const name of readdirSync(path)) {
          const full = join(path, name);
          if (statSync(full).isDirectory()) walk(full);
          else if (name.endsWith(".json")) {
            try {
              found.push(JSON.parse(readFileSync(full, "utf8")));
            } catch {
              // a file snac is writing right now: read it at the next poll
            }
          }
        }
      };
      walk(join(dir, folder));
      return found;
    },
    async timeline() {
      const auth = Buffer.from(`${user}:${password}`).toString("base64");
      const res = await fetch(`${origin}/${user}/admin`, { headers: { authorization: `Basic ${auth}` } });
      if (res.status !== 200) throw new Error(`snac's timeline answered ${res.status}`);
      return res.text();
    },
    log: () => out,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
