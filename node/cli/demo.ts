import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidArgumentError, type Command } from "commander";
import { randomBytes } from "node:crypto";
import { upsertUser } from "../db/accounts.ts";
import { createToken } from "../db/token-store.ts";
import { createApiClient } from "./api-client.ts";
import { withDatabase } from "./database.ts";
import { publishDemoAdoptions } from "./demo-adoptions.ts";
import { DEMO_CITIES, peerAll, type DemoCity, type DemoNode } from "./demo-network.ts";
import { spawnNodeProcess, waitUntilServing, type NodeProcess } from "./supervisor.ts";

// `wego demo`: three city nodes on loopback, each a `wego serve` child process, peered with
// each other through their own admin API; runs until SIGINT or SIGTERM.

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

const OUTPUT_LIMIT = 64 * 1024;
/** Where the demo reads the illustrative cities' adoption seeds (the repository's seeds/). */
const DEMO_SEEDS_DIR = fileURLToPath(new URL("../../seeds/", import.meta.url));
const STOP_GRACE_MS = 10_000;

/** Rejects with `Error(message)` when `port` on loopback is taken. */
function checkPortFree(port: number): Promise<void> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === "EADDRINUSE"
            ? `port ${port} is already in use; pick others with --base-port N`
            : `cannot use port ${port}: ${error.message}`,
        ),
      ),
    );
    server.listen(port, "127.0.0.1", () => server.close(() => resolvePort()));
  });
}

function startCity(city: DemoCity, port: number, dataDir: string, verbose: boolean): NodeProcess {
  const echo = (text: string) => {
    for (const line of text.split("\n").filter(Boolean)) process.stderr.write(`[${city.slug}] ${line}\n`);
  };
  const args = ["--city", city.slug, "--name", city.name, "--country", city.country];
  return spawnNodeProcess({ port, dataDir, args, outputLimit: OUTPUT_LIMIT, onOutput: verbose ? echo : undefined });
}

/**
 * A serving node made ready for peering and for a person: an admin token and an admin web
 * login in its data folder (the same calls `wego token create --role admin` and `wego user
 * add --role admin` make, run here rather than in a CLI process per city,
 * because each `wego` process loads the whole node first: seconds of CPU per city on a busy
 * machine), and its API client with that token.
 */
async function readyCity(city: DemoCity, node: NodeProcess): Promise<DemoNode> {
  const login = { username: "admin", password: randomBytes(12).toString("base64url") };
  const token = await withDatabase({ data: node.dataDir }, async (orm) => {
    await upsertUser(orm, login.username, login.password, "admin");
    return createToken(orm, "admin", "demo-admin");
  });
  return {
    city,
    process: node,
    actor: `${node.url}/cities/${city.slug}`,
    token,
    login,
    api: createApiClient({ url: node.url, token, timeoutMs: 30_000 }),
  };
}

function printSummary(
  nodes: readonly DemoNode[],
  base: { dir: string; temporary: boolean },
  total: number | null,
  json: boolean,
): void {
  if (json) {
    const out = {
      ready: total !== null,
      dataDir: base.dir,
      items: total,
      nodes: nodes.map((n) => ({
        city: n.city.slug,
        name: n.city.name,
        url: n.process.url,
        actor: n.actor,
        token: n.token,
        login: n.login,
        dataDir: n.process.dataDir,
        pid: n.process.child.pid,
      })),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const width = Math.max(...nodes.map((n) => n.city.name.length));
  const lines = ["", "WeGO Exchange demo: three city nodes on loopback", ""];
  for (const n of nodes) {
    const url = n.process.url;
    lines.push(`  ${n.city.name.padEnd(width)}  ${url}/`);
    lines.push(`  ${"".padEnd(width)}  web login: ${url}/login  as ${n.login.username} / ${n.login.password}`);
    lines.push(`  ${"".padEnd(width)}  admin token: ${n.token}`);
    lines.push(
      `  ${"".padEnd(width)}  try: curl -s '${url}/api/search?q=${encodeURIComponent(n.city.tryQuery)}'   (or open ${url}/ in a browser)`,
    );
    lines.push("");
  }
  lines.push(
    total === null
      ? "Peering is still in progress (--no-wait); watch it with: wego peer list --url URL"
      : `Every city follows the other two (mutual) and holds all ${total} items of the network.`,
  );
  lines.push(`Peers: wego peer list --url ${nodes[0]!.process.url}    Tokens work with wego peer … --token TOKEN.`);
  lines.push(`Data: ${base.dir}${base.temporary ? " (removed on exit; keep it with --data DIR)" : ""}`);
  lines.push("Press Ctrl-C to stop the three nodes.", "");
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** Item ids and actors are URLs under each node's origin: a kept data folder only works on the ports it was made with. */
function claimDataFolder(base: { dir: string; temporary: boolean }, basePort: number): void {
  const marker = join(base.dir, "demo.json");
  if (!base.temporary && existsSync(marker)) {
    const made = (JSON.parse(readFileSync(marker, "utf8")) as { basePort?: number }).basePort;
    if (made !== basePort)
      throw new Error(`${base.dir} was made with --base-port ${made}; use that port again, or another --data folder`);
  }
  mkdirSync(base.dir, { recursive: true });
  writeFileSync(marker, `${JSON.stringify({ basePort })}\n`);
}

/**
 * Starts Seoul, Busan and Ulaanbaatar as `wego serve` child processes, peers them with
 * each other, prints their URLs and admin tokens, and runs until SIGINT or SIGTERM.
 * Resolves to the exit code: 0 after a clean stop, 1 when a node failed.
 */
export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const basePort = options.basePort ?? 8081;
  if (!Number.isInteger(basePort) || basePort < 1 || basePort + DEMO_CITIES.length - 1 > 65535)
    throw new TypeError("--base-port must be a port number");
  const deadline = Date.now() + (options.timeoutSeconds ?? 120) * 1000;
  const started = Date.now();
  const log = (line: string) =>
    process.stderr.write(`wego demo [${((Date.now() - started) / 1000).toFixed(1)}s]: ${line}\n`);
  const base = options.data
    ? { dir: resolve(options.data), temporary: false }
    : { dir: mkdtempSync(join(tmpdir(), "wego-demo-")), temporary: true };

  const processes: NodeProcess[] = [];
  // Aborted on a stop request or when a node dies: ends every wait of the set-up.
  const abort = new AbortController();
  let stopping = false;
  let resolveStop!: () => void;
  const stopRequested = new Promise<void>((r) => (resolveStop = r));
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stopping) log(`${signal}: stopping the nodes…`);
    stopping = true;
    abort.abort(new Error("stopping"));
    resolveStop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const finish = async (code: number): Promise<number> => {
    abort.abort(new Error("stopping"));
    await Promise.all(processes.map((p) => p.stop(STOP_GRACE_MS)));
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (base.temporary) rmSync(base.dir, { recursive: true, force: true });
    return code;
  };
  const failed = (node: NodeProcess) => {
    const city = DEMO_CITIES[processes.indexOf(node)]!;
    log(`the ${city.name} node exited (code ${node.child.exitCode ?? node.child.signalCode}); its output:`);
    process.stderr.write(`${node.output().trimEnd()}\n`);
  };

  try {
    for (let i = 0; i < DEMO_CITIES.length; i++) await checkPortFree(basePort + i);
    claimDataFolder(base, basePort);
    log(`starting ${DEMO_CITIES.map((c, i) => `${c.name} on ${basePort + i}`).join(", ")}; data in ${base.dir}`);
    for (const [i, city] of DEMO_CITIES.entries()) {
      const dataDir = join(base.dir, city.slug);
      mkdirSync(dataDir, { recursive: true });
      processes.push(startCity(city, basePort + i, dataDir, options.verbose ?? false));
    }
    // Whichever comes first: a stop request, a node dying, or the set-up failing.
    const anyExit = Promise.race(processes.map((p) => p.exited.then(() => p)));
    void anyExit.then(() => abort.abort(new Error("a node exited")));

    const work = (async () => {
      // Each node gets its token as soon as it serves, while slower ones are still starting.
      const serving = new Set<NodeProcess>();
      let nodes: DemoNode[];
      try {
        nodes = await Promise.all(
          processes.map(async (p, i) => {
            await waitUntilServing(p, deadline - Date.now(), abort.signal);
            serving.add(p);
            return readyCity(DEMO_CITIES[i]!, p);
          }),
        );
      } catch (error) {
        // Not after a stop request or a node's exit (its output is printed then): only on a time-out.
        const late = abort.signal.aborted ? [] : processes.filter((x) => !serving.has(x) && x.isRunning());
        for (const p of late) {
          log(`the ${DEMO_CITIES[processes.indexOf(p)]!.name} node did not serve in time; its output:`);
          process.stderr.write(`${p.output().trimEnd() || "(nothing yet)"}\n`);
        }
        throw error;
      }
      // Before peering, so that no city follows another yet: Seoul hears of each adoption of
      // its cases because the adopting node delivers it there, not because Seoul follows it.
      const adoptions = await publishDemoAdoptions(nodes, DEMO_SEEDS_DIR);
      if (adoptions > 0) log(`Busan and Ulaanbaatar published ${adoptions} adoptions of Seoul's cases`);
      log("the nodes serve; peering them…");
      if (options.noWait && !stopping) printSummary(nodes, base, null, options.json ?? false);
      const total = await peerAll(nodes, { deadline, signal: abort.signal, progress: log });
      if (stopping) return;
      if (options.noWait) log(`peered: every city is mutual with the other two and holds all ${total} items`);
      else printSummary(nodes, base, total, options.json ?? false);
    })();

    const setup = await Promise.race([
      work.then(() => "ready" as const),
      stopRequested.then(() => "stop" as const),
      anyExit,
    ]);
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
    if (stopping) return await finish(0);
    log(String((error as Error).message ?? error));
    const dead = processes.find((p) => !p.isRunning());
    if (dead) failed(dead);
    return await finish(1);
  }
}

/** Adds `wego demo` to the program. */
export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description(
      "start three peered city nodes on loopback (Seoul, and illustrative Busan and Ulaanbaatar) until Ctrl-C",
    )
    .option("--data <dir>", "base folder for the three data folders (default: a temporary folder, removed on exit)")
    .option("--base-port <n>", "port of the first city; the others take the next two", "8081")
    .option("--no-wait", "print the URLs as soon as the nodes serve, before peering finishes")
    .option("--json", "print the nodes (city, url, actor, token, web login) as one JSON line")
    .option("--timeout <seconds>", "how long to wait for the network to be peered and synced", "120")
    .option("--verbose", "echo the nodes' logs on stderr")
    .action(
      async (opts: {
        data?: string;
        basePort: string;
        wait: boolean;
        json?: boolean;
        timeout: string;
        verbose?: boolean;
      }) => {
        const basePort = Number(opts.basePort);
        const timeoutSeconds = Number(opts.timeout);
        if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65533)
          throw new InvalidArgumentError(`--base-port must be a port number, got ${opts.basePort}`);
        if (!(timeoutSeconds > 0))
          throw new InvalidArgumentError(`--timeout must be a number of seconds, got ${opts.timeout}`);
        process.exitCode = await runDemo({
          data: opts.data,
          basePort,
          noWait: !opts.wait,
          json: opts.json,
          timeoutSeconds,
          verbose: opts.verbose,
        });
      },
    );
}
