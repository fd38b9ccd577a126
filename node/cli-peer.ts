import { Command, CommanderError, Option } from "commander";

// `wego peer …`: talks to a running node's peering API (GET /api/peers, POST /api/peers[/action]).
// The node does the federation work; this file only asks and prints.

/** A peer as `GET /api/peers` lists it (the fields the CLI prints). */
export interface PeerListing {
  readonly actor: string;
  readonly host: string;
  readonly handle?: string | null;
  readonly name?: string | null;
  readonly state: string;
  readonly items: number;
  readonly lastSeen?: string | null;
  readonly lastError?: string | null;
  readonly backfill?: { readonly state?: string; readonly done: number; readonly total: number };
}

/** Options every `wego peer` subcommand takes. */
interface PeerOptions {
  readonly url: string;
  readonly token?: string;
  readonly json?: boolean;
}

/** A failed request to the node; `exitCode` is what the CLI exits with. */
export class PeerCommandError extends Error {
  override name = "PeerCommandError";
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const DEFAULT_URL = "http://localhost:8080";

/** The node's base URL from `--url`, checked. */
function baseUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PeerCommandError(`--url must be a URL like ${DEFAULT_URL}, got ${value}`, 2);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new PeerCommandError(`--url must use http or https, got ${value}`, 2);
  return url;
}

/** Sends one request to the node's API; throws {@link PeerCommandError} with the API's message on failure. */
async function callApi<T>(opts: PeerOptions, method: "GET" | "POST", path: string, body?: Record<string, string>): Promise<T> {
  const url = new URL(path, baseUrl(opts.url));
  const headers: Record<string, string> = { accept: "application/json" };
  if (body) headers["content-type"] = "application/json";
  if (opts.token) headers["authorization"] = `Bearer ${opts.token}`;
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    const why = (error as Error).cause ?? (error as Error).message;
    throw new PeerCommandError(`cannot reach ${url.origin} (${String((why as Error)?.message ?? why)}); is the node running?`, 1, { cause: error });
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's error page, say): reported below by status.
  }
  if (!res.ok) {
    const err = parsed as { error?: unknown; details?: { path?: string; message?: string }[] } | null;
    const message = typeof err?.error === "string" ? err.error : `HTTP ${res.status} ${res.statusText}`;
    const details = Array.isArray(err?.details) ? err.details.map((d) => [d.path, d.message].filter(Boolean).join(" ")) : [];
    throw new PeerCommandError(`${[message, ...details].join(": ")} (HTTP ${res.status})`, 1);
  }
  if (parsed === null) throw new PeerCommandError(`${url.href} did not answer JSON (HTTP ${res.status})`, 1);
  return parsed as T;
}

function requireToken(opts: PeerOptions, what: string): void {
  if (!opts.token) {
    throw new PeerCommandError(
      `${what} needs an admin token: pass --token TOKEN or set WEGO_TOKEN (make one with: wego token create --data DIR --role admin)`,
      2,
    );
  }
}

/** A handle like `@busan@127.0.0.1:8082` or `busan@example.org`, split; null for anything else. */
export function parseHandle(value: string): { user: string; host: string } | null {
  const match = /^@?([^@\s/]+)@([^@\s/]+)$/.exec(value.trim());
  return match ? { user: match[1]!, host: match[2]! } : null;
}

function isLoopbackHost(host: string): boolean {
  const name = host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "").toLowerCase();
  return name === "localhost" || name === "::1" || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/**
 * What to ask the node to follow. Handles are passed on as they are (the node looks them
 * up with WebFinger over https), except on loopback, where demo and test nodes speak plain
 * http: there the CLI does the WebFinger lookup itself and passes the actor URL.
 */
export async function resolveFollowTarget(target: string): Promise<string> {
  const handle = parseHandle(target);
  if (!handle) {
    try {
      const url = new URL(target);
      if (url.protocol === "http:" || url.protocol === "https:") return url.href;
    } catch {
      // fall through to the usage error
    }
    throw new PeerCommandError(`expected an actor URL (http://host/cities/slug) or a handle (@slug@host), got ${target}`, 2);
  }
  if (!isLoopbackHost(handle.host)) return `@${handle.user}@${handle.host}`;
  const finger = new URL(`http://${handle.host}/.well-known/webfinger`);
  finger.searchParams.set("resource", `acct:${handle.user}@${handle.host}`);
  let res: Response;
  try {
    res = await fetch(finger, { headers: { accept: "application/jrd+json" }, signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new PeerCommandError(`cannot reach ${finger.origin} to look up ${target}`, 1, { cause: error });
  }
  const jrd = (await res.json().catch(() => null)) as { links?: { rel?: string; type?: string; href?: string }[] } | null;
  const self = jrd?.links?.find((l) => l.rel === "self" && typeof l.href === "string" && /activity\+json|ld\+json/.test(l.type ?? ""));
  if (!res.ok || !self?.href) throw new PeerCommandError(`no ActivityPub actor found for ${target} (WebFinger HTTP ${res.status})`, 1);
  return self.href;
}

/** One line per peer: state, host, handle or actor, items, backfill done/total, last error. */
export function formatPeerTable(peers: readonly PeerListing[]): string {
  if (peers.length === 0) return "no peers yet (wego peer follow <actor-url-or-handle>)\n";
  const rows = peers.map((p) => {
    // The node reports handles as `@slug@host`; older answers may give the bare slug.
    const who = p.handle ? (p.handle.includes("@") ? p.handle : `@${p.handle}@${p.host}`) : p.actor || "-";
    const b = p.backfill;
    const backfill = b ? `${b.done}/${b.total}${b.state && b.state !== "idle" && b.state !== "done" ? ` ${b.state}` : ""}` : "-";
    const error = p.lastError ? p.lastError.replace(/\s+/g, " ").slice(0, 80) : "-";
    return [p.state, p.host, who, String(p.items), backfill, error];
  });
  const header = ["STATE", "HOST", "HANDLE/ACTOR", "ITEMS", "BACKFILL", "LAST ERROR"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return `${[header, ...rows].map(line).join("\n")}\n`;
}

/** Prints an action's answer: `{ ok, actor, state }`. */
function printResult(opts: PeerOptions, verb: string, result: { actor?: string; state?: string }): void {
  if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${verb}: ${result.actor ?? ""}${result.state ? ` (state: ${result.state})` : ""}\n`);
}

/** Runs a subcommand body, turning {@link PeerCommandError} into a message and an exit code. */
function run<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      if (!(error instanceof PeerCommandError)) throw error;
      process.stderr.write(`wego: ${error.message}\n`);
      process.exitCode = error.exitCode;
    }
  };
}

function withConnectionOptions(command: Command, tokenNeeded: boolean): Command {
  return command
    .addOption(new Option("--url <url>", "the node's address").env("WEGO_URL").default(DEFAULT_URL))
    .addOption(new Option("--token <token>", tokenNeeded ? "admin bearer token (required)" : "bearer token (to list: without one, only established peers; an admin's shows requests and errors)").env("WEGO_TOKEN"))
    .option("--json", "print the API's JSON answer")
    .showHelpAfterError()
    .exitOverride((err) => {
      // Bad usage (a missing argument, an unknown option) exits 2, like the rest of the CLI's usage errors.
      if (err.exitCode !== 0 && err.code !== "commander.executeSubCommandAsync") throw new CommanderError(2, err.code, err.message);
      throw err;
    });
}

/** Adds `wego peer list|follow|approve|reject|unfollow|block|unblock|resync` to the program. */
export function registerPeerCommands(program: Command): Command {
  const peer = program
    .command("peer")
    .description("peer a running node with other cities: list, follow, approve, reject, unfollow, block, unblock, resync")
    .showHelpAfterError()
    .exitOverride((err) => {
      if (err.exitCode !== 0) throw new CommanderError(2, err.code, err.message);
      throw err;
    });

  withConnectionOptions(peer.command("list").description("list peers: state, host, handle, items held, backfill progress, last error"), false).action(
    run(async (opts: PeerOptions) => {
      const answer = await callApi<{ peers: PeerListing[] }>(opts, "GET", "/api/peers");
      if (opts.json) process.stdout.write(`${JSON.stringify(answer)}\n`);
      else process.stdout.write(formatPeerTable(answer.peers));
    }),
  );

  withConnectionOptions(
    peer
      .command("follow")
      .description("ask another city's node to let this node follow it; it imports their library once they approve")
      .argument("<actor>", "the city's actor URL (e.g. https://exchange.busan.example/cities/busan) or handle (@busan@exchange.busan.example)"),
    true,
  ).action(
    run(async (target: string, opts: PeerOptions) => {
      requireToken(opts, "follow");
      const actor = await resolveFollowTarget(target);
      printResult(opts, "follow requested", await callApi(opts, "POST", "/api/peers", { actor }));
    }),
  );

  const actorActions: [name: string, description: string, verb: string][] = [
    ["approve", "accept a pending follow request from this actor", "approved"],
    ["reject", "refuse a pending follow request from this actor", "rejected"],
    ["unfollow", "stop following this actor", "unfollowed"],
    ["resync", "import this followed peer's whole library again", "resync started"],
  ];
  for (const [name, description, verb] of actorActions) {
    withConnectionOptions(peer.command(name).description(description).argument("<actor>", "the peer's actor URL, as `wego peer list --json` shows it"), true).action(
      run(async (actor: string, opts: PeerOptions) => {
        requireToken(opts, name);
        printResult(opts, verb, await callApi(opts, "POST", `/api/peers/${name}`, { actor }));
      }),
    );
  }

  const hostActions: [name: string, description: string, verb: string][] = [
    ["block", "refuse everything from this host, stop following it, drop its items", "blocked"],
    ["unblock", "lift a block on this host", "unblocked"],
  ];
  for (const [name, description, verb] of hostActions) {
    withConnectionOptions(peer.command(name).description(description).argument("<host>", "host name, with :port if not the default (e.g. 127.0.0.1:8082)"), true).action(
      run(async (host: string, opts: PeerOptions) => {
        requireToken(opts, name);
        if (/[/@\s]/.test(host)) throw new PeerCommandError(`expected a host name like exchange.example.org or 127.0.0.1:8082, got ${host}`, 2);
        printResult(opts, verb, await callApi(opts, "POST", `/api/peers/${name}`, { host }));
      }),
    );
  }
  return peer;
}
