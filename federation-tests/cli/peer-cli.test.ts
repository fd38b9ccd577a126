import { afterAll, describe, expect, it } from "vitest";
import { createTokenFor, poll, removeDir, runWego, startNodeProcess, tempDir, type NodeProcess } from "../support.ts";

// `wego peer …` against real node processes: follow, list, approve, block, and its errors.

interface PeerRow {
  actor: string;
  host: string;
  state: string;
  items: number;
}

const running: NodeProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(running.map((n) => n.kill()));
  for (const d of dirs) removeDir(d);
});

/**
 * GET JSON, retried once on a network error: runWego blocks this process's event loop for
 * seconds, long enough for the node to close an idle keep-alive socket that fetch then reuses.
 */
async function getJson<T>(url: string): Promise<T> {
  try {
    return (await (await fetch(url)).json()) as T;
  } catch {
    return (await (await fetch(url)).json()) as T;
  }
}

async function peersOf(node: NodeProcess): Promise<PeerRow[]> {
  return (await getJson<{ peers: PeerRow[] }>(`${node.url}/api/peers`)).peers;
}

async function itemTotal(node: NodeProcess): Promise<number> {
  return (await getJson<{ total: number }>(`${node.url}/api/items?limit=1`)).total;
}

describe("wego peer", () => {
  it("follows, lists, approves and blocks through a running node's API, and explains its errors", { timeout: 90_000 }, async () => {
    const base = tempDir("peer-cli");
    dirs.push(base);
    // A publishes Seoul's seed library; B starts empty.
    const [a, b] = await Promise.all([
      startNodeProcess({ dataDir: `${base}/a` }),
      startNodeProcess({ dataDir: `${base}/b`, args: ["--city", "busan", "--no-seed"] }),
    ]);
    running.push(a, b);
    const aActor = `${a.url}/cities/seoul`;
    const bActor = `${b.url}/cities/busan`;
    const aItems = await itemTotal(a);
    expect(aItems).toBeGreaterThanOrEqual(14);

    // Without a token: a clear message and a usage exit code, before any request.
    const noToken = runWego(["peer", "approve", bActor, "--url", a.url]);
    expect(noToken.status).toBe(2);
    expect(noToken.stderr).toMatch(/needs an admin token: pass --token TOKEN or set WEGO_TOKEN/);
    // A missing argument is bad usage too.
    expect(runWego(["peer", "follow", "--url", b.url]).status).toBe(2);

    const tokenA = createTokenFor(a.dataDir, "admin");
    const tokenB = createTokenFor(b.dataDir, "admin");

    // The API's own error is printed, with exit code 1.
    const unknown = runWego(["peer", "approve", bActor, "--url", a.url, "--token", tokenA]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no follow request from this actor \(HTTP 404\)/);
    const badToken = runWego(["peer", "follow", aActor, "--url", b.url, "--token", "wego_not-a-token"]);
    expect(badToken.status).toBe(1);
    expect(badToken.stderr).toMatch(/the bearer token is not valid \(HTTP 401\)/);

    const follow = runWego(["peer", "follow", aActor, "--url", b.url, "--token", tokenB]);
    expect(follow.stderr).toBe("");
    expect(follow.status).toBe(0);
    expect(follow.stdout).toContain(`follow requested: ${aActor} (state: requested)`);

    await poll("A to list B's request as pending", async () => (await peersOf(a)).some((p) => p.actor === bActor && p.state === "pending"), 30_000, 200);
    const listA = runWego(["peer", "list", "--url", a.url]);
    expect(listA.status).toBe(0);
    const row = listA.stdout.split("\n").find((l) => l.includes(`127.0.0.1:${b.port}`));
    expect(listA.stdout.split("\n")[0]).toMatch(/^STATE\s+HOST\s+HANDLE\/ACTOR\s+ITEMS\s+BACKFILL\s+LAST ERROR$/);
    expect(row).toMatch(/^pending\s+127\.0\.0\.1:\d+\s+@busan@127\.0\.0\.1:\d+\s+0\s+0\/0\s+-$/);

    const approve = runWego(["peer", "approve", bActor, "--url", a.url, "--token", tokenA, "--json"]);
    expect(approve.status).toBe(0);
    expect(JSON.parse(approve.stdout)).toMatchObject({ ok: true, actor: bActor, state: "accepted" });

    await poll(
      "B to follow A and hold all of A's items",
      async () => {
        const peer = (await peersOf(b)).find((p) => p.actor === aActor);
        return peer?.state === "following" && peer.items === aItems && (await itemTotal(b)) === aItems;
      },
      45_000,
      250,
    );
    const listB = JSON.parse(runWego(["peer", "list", "--url", b.url, "--json"]).stdout) as { peers: PeerRow[] };
    expect(listB.peers.find((p) => p.actor === aActor)).toMatchObject({ state: "following", items: aItems });

    // Blocking A's host on B stops the peering and drops what B held of A.
    const block = runWego(["peer", "block", `127.0.0.1:${a.port}`, "--url", b.url, "--token", tokenB]);
    expect(block.status).toBe(0);
    expect(block.stdout).toContain(`blocked: 127.0.0.1:${a.port} (state: blocked)`);
    const blocked = (await peersOf(b)).find((p) => p.host === `127.0.0.1:${a.port}`);
    expect(blocked).toMatchObject({ state: "blocked", items: 0 });
    expect(await itemTotal(b)).toBe(0);
    expect(runWego(["peer", "list", "--url", b.url]).stdout).toMatch(/^blocked\s+127\.0\.0\.1:\d+/m);
    // A host, not a URL.
    expect(runWego(["peer", "block", a.url, "--url", b.url, "--token", tokenB]).status).toBe(2);
    const unblock = runWego(["peer", "unblock", `127.0.0.1:${a.port}`, "--url", b.url, "--token", tokenB]);
    expect(unblock.status).toBe(0);
    // A handle on loopback: the CLI looks it up with WebFinger (over http) and follows the actor it names.
    const byHandle = runWego(["peer", "follow", `@seoul@127.0.0.1:${a.port}`, "--url", b.url, "--token", tokenB]);
    expect(byHandle.stderr).toBe("");
    expect(byHandle.stdout).toContain(`follow requested: ${aActor} (state: requested)`);
  });
});
