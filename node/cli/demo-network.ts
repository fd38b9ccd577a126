import type { ApiClient } from "./api-client.ts";
import { ApiError } from "./api-client.ts";
import { poll, type NodeProcess } from "./supervisor.ts";

// The demo's network: its cities, and peering them with each other through their admin API,
// exactly as an admin would do it by hand.

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

/** A running city node of the demo, once it serves and has an admin token. */
export interface DemoNode {
  readonly city: DemoCity;
  readonly process: NodeProcess;
  readonly actor: string;
  readonly token: string;
  /** A web login of the node's admin (username `admin`, a password new each run). */
  readonly login: { readonly username: string; readonly password: string };
  /** The node's API, with its admin token. */
  readonly api: ApiClient;
}

/** How to wait in {@link peerAll}. */
export interface PeeringOptions {
  /** Absolute time (ms since the epoch) by which the network must be peered and synced. */
  readonly deadline: number;
  /** Aborts the wait (a stop request, a node that died). */
  readonly signal: AbortSignal;
  /** Reports a step. */
  readonly progress: (line: string) => void;
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
    const page = await node.api.get<{ total: number; items: { local: boolean }[] }>("/api/items", {
      limit: "500",
      offset: String(offset),
    });
    count += page.items.filter((i) => i.local).length;
    if (page.items.length === 0 || offset + page.items.length >= page.total) return count;
  }
}

/**
 * Each node follows the other two and approves their requests; resolves, with the number of
 * items in the network, when all are mutual and every node holds every item.
 */
export async function peerAll(nodes: readonly DemoNode[], options: PeeringOptions): Promise<number> {
  const { deadline, signal } = options;
  const local = new Map<string, number>();
  for (const n of nodes) local.set(n.actor, await localItemCount(n));
  const expectedTotal = [...local.values()].reduce((a, b) => a + b, 0);

  // Follow: retried until the node accepts the request (a peer that just started may still be warming up).
  const pairs = nodes.flatMap((a) => nodes.filter((b) => b !== a).map((b) => [a, b] as const));
  const followed = new Set<string>();
  const follow = async () => {
    await Promise.all(
      pairs.map(async ([a, b]) => {
        const key = `${a.actor} ${b.actor}`;
        if (followed.has(key)) return;
        try {
          await a.api.post("/api/peers", { actor: b.actor });
        } catch (error) {
          throw new Error(`${a.city.name} → ${b.city.name}: ${(error as Error).message}`, { cause: error });
        }
        followed.add(key);
      }),
    );
    return followed.size === pairs.length;
  };
  await poll("the follow requests to be sent", follow, deadline - Date.now(), 250, signal);
  options.progress("each city asked to follow the other two; approving the requests…");

  // Approve every pending request from a demo city, then wait for mutual peering and the items.
  const approvedAt = new Map<string, number>();
  const actors = new Set(nodes.map((n) => n.actor));
  const synced = async () => {
    let ready = true;
    for (const n of nodes) {
      const peers = (await n.api.get<{ peers: PeerRow[] }>("/api/peers")).peers.filter((p) => actors.has(p.actor));
      for (const p of peers) {
        const key = `${n.actor} ${p.actor}`;
        // Re-approve only if a request still shows as pending a while after approving it.
        if (p.state === "pending" && Date.now() - (approvedAt.get(key) ?? 0) > 5_000) {
          try {
            await n.api.post("/api/peers/approve", { actor: p.actor });
            approvedAt.set(key, Date.now());
          } catch (error) {
            // Refused (not pending any more, say): looked at again on the next round.
            if (!(error instanceof ApiError) || error.status === null) throw error;
          }
        }
      }
      for (const o of nodes.filter((x) => x !== n)) {
        const p = peers.find((x) => x.actor === o.actor);
        if (p?.state !== "mutual" || p.items < (local.get(o.actor) ?? 0)) ready = false;
      }
      if (ready && (await n.api.get<{ total: number }>("/api/items", { limit: "1" })).total < expectedTotal)
        ready = false;
    }
    return ready;
  };
  await poll(
    "every node to be mutual with the other two and hold all items",
    synced,
    deadline - Date.now(),
    250,
    signal,
  );
  return expectedTotal;
}
