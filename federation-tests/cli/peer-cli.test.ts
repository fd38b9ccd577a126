import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveFollowTarget } from "../../node/cli/peer.ts";
import { poll, removeDir, ROOT, startNodeProcess, tempDir, type NodeProcess } from "../support.ts";

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

/** Runs `wego` without blocking this process, so independent commands run side by side. */
function wego(args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, "bin", "wego.js"), ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.once("exit", (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * Creates an admin token in a node's data folder with the calls `wego token create` makes:
 * in this process, because every `wego` process first loads the whole node (many seconds on a
 * busy 2-core machine), and this test already runs six of them.
 */
async function adminToken(dataDir: string): Promise<string> {
  const [{ openDatabase }, { createToken }] = await Promise.all([
    import("../../node/db/orm.ts"),
    import("../../node/db/token-store.ts"),
  ]);
  const orm = await openDatabase({ dataDir });
  try {
    return await createToken(orm, "admin", "admin");
  } finally {
    await orm.close();
  }
}

/**
 * GET JSON, retried once on a network error: a busy event loop can miss the node closing an
 * idle keep-alive socket, which fetch then reuses.
 */
async function getJson<T>(url: string, token?: string): Promise<T> {
  const init = token ? { headers: { authorization: `Bearer ${token}` } } : {};
  try {
    return (await (await fetch(url, init)).json()) as T;
  } catch {
    return (await (await fetch(url, init)).json()) as T;
  }
}

/** Every peer as an admin sees it (anonymous callers see only established peerings). */
const tokens = new Map<NodeProcess, string>();
async function peersOf(node: NodeProcess): Promise<PeerRow[]> {
  return (await getJson<{ peers: PeerRow[] }>(`${node.url}/api/peers`, tokens.get(node))).peers;
}

async function itemTotal(node: NodeProcess): Promise<number> {
  return (await getJson<{ total: number }>(`${node.url}/api/items?limit=1`)).total;
}

describe("wego peer", () => {
  it("follows, lists, approves and blocks through a running node's API, and explains its errors", {
    timeout: 120_000,
  }, async () => {
    const base = tempDir("peer-cli");
    dirs.push(base);
    // A publishes Seoul's seed library; B starts empty. Meanwhile: without a token, a clear
    // message and a usage exit code, before any request is made.
    const [a, b, noToken] = await Promise.all([
      startNodeProcess({ dataDir: `${base}/a` }),
      startNodeProcess({ dataDir: `${base}/b`, args: ["--city", "busan", "--no-seed"] }),
      wego(["peer", "approve", "http://127.0.0.1:9/cities/busan", "--url", "http://127.0.0.1:9"]),
      import("../../node/db/orm.ts"),
    ]);
    running.push(a, b);
    expect(noToken.status).toBe(2);
    expect(noToken.stderr).toMatch(/approve needs an admin token: pass --token TOKEN or set WEGO_TOKEN/);
    const aActor = `${a.url}/cities/seoul`;
    const bActor = `${b.url}/cities/busan`;
    const aItems = await itemTotal(a);
    expect(aItems).toBeGreaterThanOrEqual(14);
    const tokenA = await adminToken(a.dataDir);
    const tokenB = await adminToken(b.dataDir);
    tokens.set(a, tokenA).set(b, tokenB);

    // Each `wego` run loads the whole CLI (seconds on a busy machine): independent runs go side by side.
    const [follow, unknown, fromHandle] = await Promise.all([
      wego(["peer", "follow", aActor, "--url", b.url, "--token", tokenB]),
      wego(["peer", "approve", bActor, "--url", a.url, "--token", tokenA]),
      // A handle on loopback: the CLI looks it up with WebFinger (over http) to find the actor URL.
      resolveFollowTarget(`@seoul@127.0.0.1:${a.port}`),
    ]);
    expect(follow.stderr).toBe("");
    expect(follow.status).toBe(0);
    expect(follow.stdout).toContain(`follow requested: ${aActor} (state: requested)`);
    // The API's own error is printed, with exit code 1 (nothing to approve yet when this ran, or B's request is approved early: both are fine).
    if (unknown.status !== 0) {
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toMatch(/no follow request from this actor \(HTTP 404\)/);
    }
    expect(fromHandle).toBe(aActor);

    await poll(
      "A to list B's request",
      async () => (await peersOf(a)).some((p) => p.actor === bActor && ["pending", "followed"].includes(p.state)),
      30_000,
      200,
    );
    if (unknown.status !== 0) {
      const listA = await wego(["peer", "list", "--url", a.url, "--token", tokenA]);
      expect(listA.status).toBe(0);
      const lines = listA.stdout.split("\n");
      expect(lines[0]).toMatch(/^STATE\s+HOST\s+HANDLE\/ACTOR\s+ITEMS\s+BACKFILL\s+LAST ERROR$/);
      expect(lines.find((l) => l.includes(`127.0.0.1:${b.port}`))).toMatch(
        /^pending\s+127\.0\.0\.1:\d+\s+@busan@127\.0\.0\.1:\d+\s+0\s+0\/0\s+-$/,
      );

      const approve = await wego(["peer", "approve", bActor, "--url", a.url, "--token", tokenA, "--json"]);
      expect(approve.stderr).toBe("");
      expect(JSON.parse(approve.stdout)).toMatchObject({ ok: true, actor: bActor, state: "accepted" });
    }

    await poll(
      "B to follow A and hold all of A's items",
      async () => {
        const peer = (await peersOf(b)).find((p) => p.actor === aActor);
        return peer?.state === "following" && peer.items === aItems && (await itemTotal(b)) === aItems;
      },
      60_000,
      250,
    );

    // Blocking A's host on B stops the peering and drops what B held of A.
    const block = await wego(["peer", "block", `127.0.0.1:${a.port}`, "--url", b.url, "--token", tokenB]);
    expect(block.stderr).toBe("");
    expect(block.stdout).toContain(`blocked: 127.0.0.1:${a.port} (state: blocked)`);
    expect((await peersOf(b)).find((p) => p.host === `127.0.0.1:${a.port}`)).toMatchObject({
      state: "blocked",
      items: 0,
    });
    expect(await itemTotal(b)).toBe(0);
  });
});
