import { join } from "node:path";
import { createTokenAsync, poll, removeDir, startNodeProcess, tempDir, type NodeProcess } from "../support.ts";
import { apiFetch } from "../../node/http/test-support.ts";

/** A city node process with its admin token and actor URL. */
export interface CityNode {
  readonly city: string;
  readonly dataDir: string;
  readonly token: string;
  node: NodeProcess;
  readonly url: string;
  readonly actor: string;
}

/** Real node processes for a federation scenario, cleaned up by {@link Cluster.stop}. */
export interface Cluster {
  start(
    city: string,
    options?: { seed?: boolean; args?: string[]; port?: number; nodeArgs?: readonly string[] },
  ): Promise<CityNode>;
  /** Stops (or kills) a node and starts it again on its data folder; `moreArgs` are added to its flags from then on (a later flag wins). */
  restart(node: CityNode, how?: "stop" | "kill", moreArgs?: readonly string[]): Promise<CityNode>;
  stop(): Promise<void>;
}

/** Creates an empty cluster of node processes in a temp folder. */
export function createCluster(): Cluster {
  const base = tempDir("fed");
  const nodes: CityNode[] = [];
  const argsOf = new Map<CityNode, string[]>();
  return {
    async start(city, options = {}) {
      const dataDir = join(base, city);
      const args = ["--city", city, ...(options.seed ? [] : ["--no-seed"]), ...(options.args ?? [])];
      const node = await startNodeProcess({ dataDir, args, port: options.port, nodeArgs: options.nodeArgs });
      const entry: CityNode = {
        city,
        dataDir,
        token: await createTokenAsync(dataDir, "admin", `${city}-admin`),
        node,
        url: node.url,
        actor: `${node.url}/cities/${city}`,
      };
      nodes.push(entry);
      argsOf.set(entry, args);
      return entry;
    },
    async restart(entry, how = "stop", moreArgs = []) {
      await entry.node[how]();
      const args = [...(argsOf.get(entry) ?? []), ...moreArgs];
      argsOf.set(entry, args);
      entry.node = await startNodeProcess({ dataDir: entry.dataDir, port: entry.node.port, args });
      return entry;
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.node.kill()));
      removeDir(base);
    },
  };
}

/** Calls a node's API with its admin token; returns status and parsed JSON, checked against the node's OpenAPI description. */
export async function api(
  node: CityNode,
  path: string,
  init: { method?: string; json?: unknown } = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the node answers
): Promise<{ status: number; body: any }> {
  const res = await apiFetch(`${node.url}${path}`, {
    method: init.method ?? (init.json === undefined ? "GET" : "POST"),
    headers: {
      authorization: `Bearer ${node.token}`,
      ...(init.json === undefined ? {} : { "content-type": "application/json" }),
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** The state `node` reports for `peer`, or undefined. */
export async function peerState(node: CityNode, peer: CityNode): Promise<string | undefined> {
  const { body } = await api(node, "/api/peers");
  return (body.peers as { actor: string; state: string }[]).find((p) => p.actor === peer.actor)?.state;
}

/** `node` follows a remote actor that accepts at once (a rogue peer); waits until it does. */
export async function followActor(node: CityNode, actorId: string): Promise<void> {
  const asked = await api(node, "/api/peers", { json: { actor: actorId } });
  if (asked.status !== 200) throw new Error(`follow failed: ${JSON.stringify(asked.body)}`);
  await poll(
    `${node.city} to follow ${actorId}`,
    async () => (await peerState(node, { actor: actorId } as CityNode)) === "following",
  );
}

/** `follower` follows `followed`, which approves; waits until both see it. */
export async function peer(follower: CityNode, followed: CityNode): Promise<void> {
  const asked = await api(follower, "/api/peers", { json: { actor: followed.actor } });
  if (asked.status !== 200) throw new Error(`follow failed: ${JSON.stringify(asked.body)}`);
  await poll(
    `${followed.city} to see ${follower.city}'s request`,
    async () =>
      (await peerState(followed, follower)) === "pending" || (await peerState(followed, follower)) === "mutual",
  );
  await api(followed, "/api/peers/approve", { json: { actor: follower.actor } });
  await poll(`${follower.city} to follow ${followed.city}`, async () =>
    ["following", "mutual"].includes((await peerState(follower, followed)) ?? ""),
  );
}

/** Publishes a document on a node; returns its id. */
export async function publish(node: CityNode, document: Record<string, unknown>): Promise<string> {
  const res = await api(node, "/api/items", { json: document });
  if (res.status !== 201) throw new Error(`publish failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** The version of `id` a node holds (0 when absent, -1 when deleted). */
export async function heldVersion(node: CityNode, id: string): Promise<number> {
  const res = await api(node, `/api/items?id=${encodeURIComponent(id)}`);
  if (res.status === 404) return 0;
  if (res.status === 410) return -1;
  return res.body.document.version as number;
}

/** A small valid case study draft with a distinct title. */
export function caseDraft(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "CaseStudy",
    title,
    summary: `A short case about ${title}.`,
    language: "en",
    body: `## ${title}\n\nWhat the city did and what happened.`,
    tags: ["federation-test"],
    ...extra,
  };
}
