import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { poll, ROOT } from "../support.ts";

// `wego demo` as a user runs it: three city nodes come up peered; SIGTERM stops them all.

interface DemoAnswer {
  ready: boolean;
  dataDir: string;
  items: number;
  nodes: {
    city: string;
    url: string;
    actor: string;
    token: string;
    login: { username: string; password: string };
    pid: number;
  }[];
}

const CITIES = ["seoul", "busan", "ulaanbaatar"];
/** The .json files of a folder, none when it does not exist. */
const jsonFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")) : []);
// Each city's first-start seeds, and the adoptions of Seoul's cases the demo publishes.
const seedCount = CITIES.map(
  (c) => jsonFiles(join(ROOT, "seeds", c)).length + jsonFiles(join(ROOT, "seeds", c, "adoptions")).length,
).reduce((a, b) => a + b, 0);

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A base port whose next two ports are free too. */
async function freePortRun(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    if ((await portFree(base)) && (await portFree(base + 1)) && (await portFree(base + 2))) return base;
  }
  throw new Error("no three free ports in a row");
}

async function isListening(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

let demo: ChildProcess | undefined;
let answer: DemoAnswer | undefined;
afterAll(async () => {
  // Only if the test failed half-way: the demo stops its nodes on SIGTERM; SIGKILL is the last resort.
  if (demo && demo.exitCode === null && demo.signalCode === null) {
    const gone = new Promise((resolve) => demo!.once("exit", resolve));
    demo.kill("SIGTERM");
    await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    if (demo.exitCode === null && demo.signalCode === null) demo.kill("SIGKILL");
  }
  for (const n of answer?.nodes ?? []) {
    try {
      process.kill(n.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

describe("wego demo", () => {
  it("starts Seoul, Busan and Ulaanbaatar peered with each other, each holding every item, and stops them on SIGTERM", {
    timeout: 120_000,
  }, async () => {
    const basePort = await freePortRun();
    const child = spawn(
      process.execPath,
      [join(ROOT, "bin", "wego.js"), "demo", "--base-port", String(basePort), "--json", "--timeout", "85"],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    demo = child;
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

    answer = await poll(
      "the demo to print its nodes",
      async () => {
        if (child.exitCode !== null) throw new Error(`wego demo exited ${child.exitCode}: ${stderr}`);
        const line = stdout.split("\n").find((l) => l.startsWith("{"));
        return line ? (JSON.parse(line) as DemoAnswer) : undefined;
      },
      95_000,
      250,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${stderr}`);
    });

    expect(answer.ready).toBe(true);
    expect(answer.items).toBe(seedCount);
    expect(answer.nodes.map((n) => [n.city, n.url])).toEqual(
      CITIES.map((c, i) => [c, `http://127.0.0.1:${basePort + i}`]),
    );
    expect(existsSync(answer.dataDir)).toBe(true);

    // Checked independently of what the demo says: mutual peering and every item everywhere.
    for (const node of answer.nodes) {
      const { peers } = (await (await fetch(`${node.url}/api/peers`)).json()) as {
        peers: { actor: string; state: string }[];
      };
      const others = answer.nodes.filter((n) => n !== node).map((n) => n.actor);
      expect(
        peers.filter((p) => others.includes(p.actor)).map((p) => p.state),
        node.city,
      ).toEqual(["mutual", "mutual"]);
      const { total } = (await (await fetch(`${node.url}/api/items?limit=1`)).json()) as { total: number };
      expect(total, node.city).toBe(seedCount);
      // An admin token the demo printed works on its node.
      const denied = await fetch(`${node.url}/api/peers/unblock`, {
        method: "POST",
        headers: { authorization: `Bearer ${node.token}`, "content-type": "application/json" },
        body: '{"host":"nowhere.invalid"}',
      });
      expect(denied.status, node.city).toBe(404);
      // So does the web login it printed: the login form lets the admin in.
      const form = await fetch(`${node.url}/login`);
      const cookie = form.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; ");
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
      const login = await fetch(`${node.url}/login`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ _csrf: csrf, ...node.login, next: "/admin/peers" }),
      });
      expect(login.status, node.city).toBe(303);
      expect(login.headers.get("location"), node.city).toBe("/admin/peers");
    }
    // Seoul, the origin of the adopted cases, lists Ulaanbaatar's adoption of mVoting, verified.
    const seoul = answer.nodes[0]!;
    const mvoting = `${seoul.url}/items/case-mvoting`;
    const adoptions = (await (
      await fetch(`${seoul.url}/api/items?type=Adoption&case=${encodeURIComponent(mvoting)}`)
    ).json()) as { items: { origin: string; local: boolean; verified: boolean }[] };
    expect(adoptions.items).toEqual([
      expect.objectContaining({ origin: new URL(answer.nodes[2]!.url).origin, local: false, verified: true }),
    ]);
    // Seoul's node finds Busan's illustrative item.
    const search = (await (await fetch(`${answer.nodes[0]!.url}/api/search?q=typhoon`)).json()) as {
      results: { city: string; local: boolean }[];
    };
    // A peer's item is filed under its origin's host (who signed it), not its document's `city`.
    const busanHost = new URL(answer.nodes[1]!.url).host;
    expect(search.results.some((r) => r.city === busanHost && !r.local)).toBe(true);

    child.kill("SIGTERM");
    const code = await Promise.race([
      exited,
      new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 15_000)),
    ]);
    expect(code).toBe(0);
    for (const node of answer.nodes) {
      expect(await isListening(node.url), node.url).toBe(false);
      expect(() => process.kill(node.pid, 0), `${node.city} pid ${node.pid}`).toThrow();
    }
    // The default data folder was temporary.
    expect(existsSync(answer.dataDir)).toBe(false);
  });
});
