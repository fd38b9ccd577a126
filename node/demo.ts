import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// `wego demo`: three city nodes on loopback, each a `wego serve` child process, peered with
// each other through their own admin API, exactly as an admin would do it by hand.

/** A city of the demo network. */
export interface DemoCity {
  readonly slug: string;
  readonly name: string;
  readonly country: string;
  /** A search on this city's node that finds another city's item: shows federation at work. */
  readonly tryQuery: string;
}

/** Seoul (the real seed library) and two illustrative cities (seeds/busan, seeds/ulaanbaatar). */
export const DEMO_CITIES: readonly DemoCity[] = [
  { slug: "seoul", name: "Seoul", country: "KR", tryQuery: "typhoon" },
  { slug: "busan", name: "Busan", country: "KR", tryQuery: "kiosks" },
  { slug: "ulaanbaatar", name: "Ulaanbaatar", country: "MN", tryQuery: "mVoting" },
];

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Base folder of the three data folders; default a fresh folder in the OS temp dir, removed on exit. */
  readonly data?: string;
  /** Port of the first city; the others take the next ones (default 8081). */
  readonly basePort?: number;
  /** Print the URLs as soon as the nodes serve, before peering finishes (default false). */
  readonly noWait?: boolean;
  /** Print one JSON line instead of the human summary (default false). */
  readonly json?: boolean;
  /** Seconds to wait for the nodes to serve and for the network to sync (default 120). */
  readonly timeoutSeconds?: number;
  /** Echo the nodes' logs on stderr (default false). */
  readonly verbose?: boolean;
}

/** A running city node of the demo. */
interface DemoNode {
  readonly city: DemoCity;
  readonly port: number;
  readonly url: string;
  readonly actor: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  token: string;
  output(): string;
}

/** A demo node stopped before it was asked to. */
class ChildExitedError extends Error {
  override name = "ChildExitedError";
  constructor(readonly node: DemoNode) {
    super(`the ${node.city.name} node exited early (code ${node.child.exitCode ?? node.child.signalCode})`);
  }
}

const WEGO = fileURLToPath(new URL("../bin/wego.js", import.meta.url));
const SEEDS_DIR = fileURLToPath(new URL("../seeds/", import.meta.url));
const OUTPUT_LIMIT = 64 * 1024;
const STOP_GRACE_MS = 10_000;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Rejects with `Error(message)` when `port` on loopback is taken. */
function checkPortFree(port: number): Promise<void> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === "EADDRINUSE" ? `port ${port} is already in use; pick others with --base-port N` : `cannot use port ${port}: ${error.message}`)),
    );
    server.listen(port, "127.0.0.1", () => server.close(() => resolvePort()));
  });
}

function startChild(city: DemoCity, port: number, dataDir: string, verbose: boolean): DemoNode {
  const url = `http://127.0.0.1:${port}`;
  const args = [WEGO, "serve", "--port", String(port), "--host", "127.0.0.1", "--origin", url, "--data", dataDir];
  args.push("--city", city.slug, "--name", city.name, "--country", city.country, "--allow-private-address", "127.0.0.1");
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const collect = (chunk: Buffer) => {
    out = (out + chunk.toString("utf8")).slice(-OUTPUT_LIMIT);
    if (verbose) for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) process.stderr.write(`[${city.slug}] ${line}\n`);
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return { city, port, url, actor: `${url}/cities/${city.slug}`, dataDir, child, exited, token: "", output: () => out };
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** SIGTERM, then SIGKILL after a grace period; resolves once every child has exited. */
async function stopAll(nodes: readonly DemoNode[]): Promise<void> {
  await Promise.all(
    nodes.map(async (n) => {
      if (isRunning(n.child)) n.child.kill("SIGTERM");
      const timer = setTimeout(() => {
        if (isRunning(n.child)) n.child.kill("SIGKILL");
      }, STOP_GRACE_MS);
      await n.exited;
      clearTimeout(timer);
    }),
  );
}

/**
 * Makes an admin token in a node's data folder: the same calls `wego token create --role admin`
 * makes, run here rather than in a CLI process per city, because each `wego` process loads the
 * whole node first (seconds of CPU per city on a busy machine). Loaded on first use only.
 */
async function createAdminToken(dataDir: string): Promise<string> {
  const [{ openDatabase }, { createToken }] = await Promise.all([import("./db/orm.ts"), import("./auth/tokens.ts")]);
  const orm = await openDatabase({ dataDir });
  try {
    return await createToken(orm, "admin", "demo-admin");
  } finally {
    await orm.close();
  }
}

async function getJson<T>(url: string, token?: string, body?: unknown): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (token) headers["authorization"] = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(url, { method: body === undefined ? "GET" : "POST", headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  return { status: res.status, body: (await res.json().catch(() => null)) as T };
}

interface PeerRow {
  actor: string;
  state: string;
  items: number;
}

/** How many items a node publishes itself (its `local` items). */
async function localItemCount(node: DemoNode): Promise<number> {
  let count = 0;
  for (let offset = 0; ; offset += 500) {
    const page = (await getJson<{ total: number; items: { local: boolean }[] }>(`${node.url}/api/items?limit=500&offset=${offset}`)).body;
    count += page.items.filter((i) => i.local).length;
    if (page.items.length === 0 || offset + page.items.length >= page.total) return count;
  }
}

/** The number of `.json` seeds of each city, for the summary line. */
function seedCount(city: DemoCity): number {
  try {
    return readdirSync(join(SEEDS_DIR, city.slug)).filter((f) => f.endsWith(".json")).length;
  } catch {
    return 0;
  }
}

/** Polls until `check` answers true; rejects when the deadline passes or a child exits. */
async function until(label: string, deadline: number, nodes: readonly DemoNode[], check: () => Promise<boolean>): Promise<void> {
  let lastError: unknown;
  for (;;) {
    const dead = nodes.find((n) => !isRunning(n.child));
    if (dead) throw new ChildExitedError(dead);
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}${lastError ? ` (${String((lastError as Error).message ?? lastError)})` : ""}`);
    await sleep(250);
  }
}

/** Each node follows the other two and approves their requests; resolves when all are mutual and synced. */
async function peerAll(nodes: readonly DemoNode[], deadline: number, progress: (line: string) => void): Promise<number> {
  const local = new Map<string, number>();
  for (const n of nodes) local.set(n.actor, await localItemCount(n));
  const expectedTotal = [...local.values()].reduce((a, b) => a + b, 0);

  // Follow: retried until the node accepts the request (a peer that just started may still be warming up).
  const pairs = nodes.flatMap((a) => nodes.filter((b) => b !== a).map((b) => [a, b] as const));
  const followed = new Set<string>();
  await until("the follow requests to be sent", deadline, nodes, async () => {
    await Promise.all(
      pairs.map(async ([a, b]) => {
        const key = `${a.actor} ${b.actor}`;
        if (followed.has(key)) return;
        const r = await getJson<{ error?: string }>(`${a.url}/api/peers`, a.token, { actor: b.actor });
        if (r.status >= 200 && r.status < 300) followed.add(key);
        else throw new Error(`${a.city.name} → ${b.city.name}: ${r.body?.error ?? `HTTP ${r.status}`}`);
      }),
    );
    return followed.size === pairs.length;
  });
  progress("each city asked to follow the other two; approving the requests…");

  // Approve every pending request from a demo city, then wait for mutual peering and the items.
  const approvedAt = new Map<string, number>();
  const actors = new Set(nodes.map((n) => n.actor));
  await until("every node to be mutual with the other two and hold all items", deadline, nodes, async () => {
    let ready = true;
    for (const n of nodes) {
      const peers = (await getJson<{ peers: PeerRow[] }>(`${n.url}/api/peers`, n.token)).body.peers.filter((p) => actors.has(p.actor));
      for (const p of peers) {
        const key = `${n.actor} ${p.actor}`;
        // Re-approve only if a request still shows as pending a while after approving it.
        if (p.state === "pending" && Date.now() - (approvedAt.get(key) ?? 0) > 5_000) {
          const r = await getJson<{ error?: string }>(`${n.url}/api/peers/approve`, n.token, { actor: p.actor });
          if (r.status >= 200 && r.status < 300) approvedAt.set(key, Date.now());
        }
      }
      const others = nodes.filter((o) => o !== n);
      for (const o of others) {
        const p = peers.find((x) => x.actor === o.actor);
        if (!p || p.state !== "mutual" || p.items < (local.get(o.actor) ?? 0)) ready = false;
      }
      if (ready) {
        const total = (await getJson<{ total: number }>(`${n.url}/api/items?limit=1`)).body.total;
        if (total < expectedTotal) ready = false;
      }
    }
    return ready;
  });
  return expectedTotal;
}

function printSummary(nodes: readonly DemoNode[], base: { dir: string; temporary: boolean }, total: number | null, json: boolean): void {
  if (json) {
    const out = {
      ready: total !== null,
      dataDir: base.dir,
      items: total,
      nodes: nodes.map((n) => ({ city: n.city.slug, name: n.city.name, url: n.url, actor: n.actor, token: n.token, dataDir: n.dataDir, pid: n.child.pid })),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const width = Math.max(...nodes.map((n) => n.city.name.length));
  const lines = ["", "WeGO Exchange demo: three city nodes on loopback", ""];
  for (const n of nodes) {
    lines.push(`  ${n.city.name.padEnd(width)}  ${n.url}/`);
    lines.push(`  ${"".padEnd(width)}  admin token: ${n.token}`);
    lines.push(`  ${"".padEnd(width)}  try: curl -s '${n.url}/api/search?q=${encodeURIComponent(n.city.tryQuery)}'   (or open ${n.url}/ in a browser)`);
    lines.push("");
  }
  lines.push(
    total === null
      ? "Peering is still in progress (--no-wait); watch it with: wego peer list --url URL"
      : `Every city follows the other two (mutual) and holds all ${total} items of the network.`,
  );
  lines.push(`Peers: wego peer list --url ${nodes[0]!.url}    Tokens work with wego peer … --token TOKEN.`);
  lines.push(`Data: ${base.dir}${base.temporary ? " (removed on exit; keep it with --data DIR)" : ""}`);
  lines.push("Press Ctrl-C to stop the three nodes.", "");
  process.stdout.write(`${lines.join("\n")}\n`);
}

/**
 * Starts Seoul, Busan and Ulaanbaatar as `wego serve` child processes, peers them with
 * each other, prints their URLs and admin tokens, and runs until SIGINT or SIGTERM.
 * Resolves to the exit code: 0 after a clean stop, 1 when a node failed.
 */
export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const basePort = options.basePort ?? 8081;
  if (!Number.isInteger(basePort) || basePort < 1 || basePort + DEMO_CITIES.length - 1 > 65535) throw new TypeError("--base-port must be a port number");
  const deadline = Date.now() + (options.timeoutSeconds ?? 120) * 1000;
  const started = Date.now();
  const log = (line: string) => process.stderr.write(`wego demo [${((Date.now() - started) / 1000).toFixed(1)}s]: ${line}\n`);
  const base = options.data ? { dir: resolve(options.data), temporary: false } : { dir: mkdtempSync(join(tmpdir(), "wego-demo-")), temporary: true };

  const nodes: DemoNode[] = [];
  let stopping = false;
  let resolveStop!: () => void;
  const stopRequested = new Promise<void>((r) => (resolveStop = r));
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stopping) log(`${signal}: stopping the nodes…`);
    stopping = true;
    resolveStop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const finish = async (code: number): Promise<number> => {
    await stopAll(nodes);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (base.temporary) rmSync(base.dir, { recursive: true, force: true });
    return code;
  };
  const failed = (node: DemoNode) => {
    log(`the ${node.city.name} node exited (code ${node.child.exitCode ?? node.child.signalCode}); its output:`);
    process.stderr.write(`${node.output().trimEnd()}\n`);
  };

  try {
    // Item ids and actors are URLs under each node's origin: a kept data folder only works on the ports it was made with.
    const marker = join(base.dir, "demo.json");
    if (!base.temporary && existsSync(marker)) {
      const made = (JSON.parse(readFileSync(marker, "utf8")) as { basePort?: number }).basePort;
      if (made !== basePort) throw new Error(`${base.dir} was made with --base-port ${made}; use that port again, or another --data folder`);
    }
    for (let i = 0; i < DEMO_CITIES.length; i++) await checkPortFree(basePort + i);
    mkdirSync(base.dir, { recursive: true });
    writeFileSync(marker, `${JSON.stringify({ basePort })}\n`);
    log(`starting ${DEMO_CITIES.map((c, i) => `${c.name} on ${basePort + i}`).join(", ")}; data in ${base.dir}`);
    for (const [i, city] of DEMO_CITIES.entries()) {
      const dataDir = join(base.dir, city.slug);
      mkdirSync(dataDir, { recursive: true });
      nodes.push(startChild(city, basePort + i, dataDir, options.verbose ?? false));
    }

    const work = (async () => {
      // Each node gets its token as soon as it serves, while slower ones are still starting.
      const serving = new Set<DemoNode>();
      try {
        await Promise.all(
          nodes.map(async (n) => {
            await until(`the ${n.city.name} node to serve`, deadline, nodes, async () => (await fetch(`${n.url}/healthz`).then((r) => r.ok, () => false)));
            serving.add(n);
            n.token = await createAdminToken(n.dataDir);
          }),
        );
      } catch (error) {
        for (const n of nodes.filter((x) => !serving.has(x) && isRunning(x.child))) {
          log(`the ${n.city.name} node did not serve in time; its output:`);
          process.stderr.write(`${n.output().trimEnd() || "(nothing yet)"}\n`);
        }
        throw error;
      }
      log("the nodes serve; peering them…");
      if (options.noWait && !stopping) printSummary(nodes, base, null, options.json ?? false);
      const total = await peerAll(nodes, deadline, log);
      if (stopping) return;
      if (options.noWait) log(`peered: every city is mutual with the other two and holds all ${total} items`);
      else printSummary(nodes, base, total, options.json ?? false);
    })();

    // Whichever comes first: a stop request, a node dying, or the set-up failing.
    const anyExit = Promise.race(nodes.map((n) => n.exited.then(() => n)));
    const setup = await Promise.race([work.then(() => "ready" as const), stopRequested.then(() => "stop" as const), anyExit]);
    if (setup === "stop" || stopping) return await finish(0);
    if (typeof setup === "object") {
      failed(setup);
      return await finish(1);
    }
    const after = await Promise.race([stopRequested.then(() => "stop" as const), anyExit]);
    if (after !== "stop" && !stopping) {
      failed(after);
      return await finish(1);
    }
    return await finish(0);
  } catch (error) {
    if (error instanceof ChildExitedError) failed(error.node);
    else {
      log(String((error as Error).message ?? error));
      const dead = nodes.find((n) => !isRunning(n.child));
      if (dead) failed(dead);
    }
    return await finish(1);
  }
}
