import { InvalidArgumentError, Option, type Command } from "commander";
import { ApiError, createApiClient, DEFAULT_NODE_URL, type ApiClient } from "./api-client.ts";

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

/** The node's API, with the admin token that every subcommand but `list` needs (a usage error without one). */
function peerApi(opts: PeerOptions, tokenFor?: string): ApiClient {
  if (tokenFor && !opts.token) {
    throw new InvalidArgumentError(
      `${tokenFor} needs an admin token: pass --token TOKEN or set WEGO_TOKEN (make one with: wego token create --data DIR --role admin)`,
    );
  }
  return createApiClient({ url: opts.url, token: opts.token });
}

/** A handle like `@busan@127.0.0.1:8082` or `busan@example.org`, split; null for anything else. */
export function parseHandle(value: string): { user: string; host: string } | null {
  const match = /^@?([^@\s/]+)@([^@\s/]+)$/.exec(value.trim());
  return match ? { user: match[1]!, host: match[2]! } : null;
}

function isLoopbackHost(host: string): boolean {
  const name = host
    .replace(/:\d+$/, "")
    .replace(/^\[|\]$/g, "")
    .toLowerCase();
  return name === "localhost" || name === "::1" || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** A WebFinger answer (the part that names the actor). */
interface Jrd {
  readonly links?: readonly { readonly rel?: string; readonly type?: string; readonly href?: string }[];
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
    throw new InvalidArgumentError(
      `expected an actor URL (http://host/cities/slug) or a handle (@slug@host), got ${target}`,
    );
  }
  if (!isLoopbackHost(handle.host)) return `@${handle.user}@${handle.host}`;
  const finger = createApiClient({ url: `http://${handle.host}`, accept: "application/jrd+json", timeoutMs: 15_000 });
  let status = 200;
  let jrd: Jrd | null = null;
  try {
    jrd = await finger.get<Jrd>("/.well-known/webfinger", { resource: `acct:${handle.user}@${handle.host}` });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === null)
      throw new ApiError(`cannot reach ${finger.base.origin} to look up ${target}`, error.url, null, { cause: error });
    status = error.status;
  }
  const self = jrd?.links?.find(
    (l) => l.rel === "self" && typeof l.href === "string" && /activity\+json|ld\+json/.test(l.type ?? ""),
  );
  if (!self?.href)
    throw new ApiError(`no ActivityPub actor found for ${target} (WebFinger HTTP ${status})`, finger.base.href, status);
  return self.href;
}

/** One line per peer: state, host, handle or actor, items, backfill done/total, last error. */
export function formatPeerTable(peers: readonly PeerListing[]): string {
  if (peers.length === 0) return "no peers yet (wego peer follow <actor-url-or-handle>)\n";
  const rows = peers.map((p) => {
    // The node reports handles as `@slug@host`; older answers may give the bare slug.
    const who = p.handle ? (p.handle.includes("@") ? p.handle : `@${p.handle}@${p.host}`) : p.actor || "-";
    const b = p.backfill;
    const backfill = b
      ? `${b.done}/${b.total}${b.state && b.state !== "idle" && b.state !== "done" ? ` ${b.state}` : ""}`
      : "-";
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

function withConnectionOptions(command: Command, tokenNeeded: boolean): Command {
  return command
    .addOption(new Option("--url <url>", "the node's address").env("WEGO_URL").default(DEFAULT_NODE_URL))
    .addOption(
      new Option(
        "--token <token>",
        tokenNeeded
          ? "admin bearer token (required)"
          : "bearer token (to list: without one, only established peers; an admin's shows requests and errors)",
      ).env("WEGO_TOKEN"),
    )
    .option("--json", "print the API's JSON answer");
}

/** A subcommand that posts its one argument, a peer's actor or a host, to `POST /api/peers/<name>`. */
interface PeerAction {
  readonly name: string;
  readonly description: string;
  /** What the output says was done. */
  readonly verb: string;
  /** What the argument names, and the field it is posted as. */
  readonly field: "actor" | "host";
}

const PEER_ACTIONS: readonly PeerAction[] = [
  { name: "approve", description: "accept a pending follow request from this actor", verb: "approved", field: "actor" },
  { name: "reject", description: "refuse a pending follow request from this actor", verb: "rejected", field: "actor" },
  { name: "unfollow", description: "stop following this actor", verb: "unfollowed", field: "actor" },
  {
    name: "resync",
    description: "import this followed peer's whole library again",
    verb: "resync started",
    field: "actor",
  },
  {
    name: "block",
    description: "refuse everything from this host, stop following it, drop its items",
    verb: "blocked",
    field: "host",
  },
  { name: "unblock", description: "lift a block on this host", verb: "unblocked", field: "host" },
];

/** The argument of a {@link PeerAction}, by what it names: its name and help. */
const ARGUMENTS: Readonly<Record<PeerAction["field"], readonly [name: string, help: string]>> = {
  actor: ["<actor>", "the peer's actor URL, as `wego peer list --json` shows it"],
  host: ["<host>", "host name, with :port if not the default (e.g. 127.0.0.1:8082)"],
};

/** Adds `wego peer list|follow|approve|reject|unfollow|block|unblock|resync` to the program. */
export function registerPeerCommands(program: Command): Command {
  const peer = program
    .command("peer")
    .description(
      "peer a running node with other cities: list, follow, approve, reject, unfollow, block, unblock, resync",
    );

  withConnectionOptions(
    peer.command("list").description("list peers: state, host, handle, items held, backfill progress, last error"),
    false,
  ).action(async (opts: PeerOptions) => {
    const answer = await peerApi(opts).get<{ peers: PeerListing[] }>("/api/peers");
    if (opts.json) process.stdout.write(`${JSON.stringify(answer)}\n`);
    else process.stdout.write(formatPeerTable(answer.peers));
  });

  withConnectionOptions(
    peer
      .command("follow")
      .description("ask another city's node to let this node follow it; it imports their library once they approve")
      .argument(
        "<actor>",
        "the city's actor URL (e.g. https://exchange.busan.example/cities/busan) or handle (@busan@exchange.busan.example)",
      ),
    true,
  ).action(async (target: string, opts: PeerOptions) => {
    const api = peerApi(opts, "follow");
    const actor = await resolveFollowTarget(target);
    printResult(opts, "follow requested", await api.post("/api/peers", { actor }));
  });

  for (const { name, description, verb, field } of PEER_ACTIONS) {
    withConnectionOptions(
      peer
        .command(name)
        .description(description)
        .argument(...ARGUMENTS[field]),
      true,
    ).action(async (value: string, opts: PeerOptions) => {
      const api = peerApi(opts, name);
      if (field === "host" && /[/@\s]/.test(value))
        throw new InvalidArgumentError(
          `expected a host name like exchange.example.org or 127.0.0.1:8082, got ${value}`,
        );
      printResult(opts, verb, await api.post(`/api/peers/${name}`, { [field]: value }));
    });
  }
  return peer;
}
