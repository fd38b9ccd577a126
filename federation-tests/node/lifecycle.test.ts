import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { JWK } from "jose";
import { verifyDetachedJws } from "../../node/signing/jws.ts";
import { draftFixture } from "../../node/test-support.ts";
import { createTokenAsync, removeDir, ROOT, runWego, startNodeProcess, tempDir, type NodeProcess } from "../support.ts";

const running: NodeProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const n of running.splice(0)) await n.kill();
  for (const d of dirs.splice(0)) removeDir(d);
});

async function start(dataDir: string, port?: number, args?: string[]) {
  const node = await startNodeProcess({ dataDir, port, args });
  running.push(node);
  return node;
}
async function stop(node: NodeProcess, how: "stop" | "kill" = "stop") {
  await node[how]();
  running.splice(running.indexOf(node), 1);
}
function dataDir(prefix: string) {
  const d = tempDir(prefix);
  dirs.push(d);
  return join(d, "data");
}

interface Listing {
  total: number;
  items: { id: string; version: number; type: string }[];
}
async function listAll(url: string): Promise<Listing["items"]> {
  const out: Listing["items"] = [];
  for (let offset = 0; ; offset += 500) {
    const page = (await (await fetch(`${url}/api/items?limit=500&offset=${offset}`)).json()) as Listing;
    out.push(...page.items);
    if (out.length >= page.total || page.items.length === 0) return out;
  }
}

const seedCount = readdirSync(join(ROOT, "seeds", "seoul")).filter((f) => f.endsWith(".json")).length;

describe("the wego CLI", () => {
  it("`wego user add` reads the password from stdin and stores only its hash", async () => {
    const dir = dataDir("user");
    const added = runWego(["user", "add", "--data", dir, "--role", "editor", "minji"], "a long enough password\n");
    expect(added.stdout.trim()).toBe("created editor minji");
    expect(added.status).toBe(0);
    const tooShort = runWego(["user", "add", "--data", dir, "--role", "editor", "jisoo"], "short\n");
    expect(tooShort.stderr).toContain("password: at least 12 characters");
    expect(tooShort.status).toBe(2);
    const badRole = runWego(["token", "create", "--data", dir, "--role", "owner"]);
    expect(badRole.status).not.toBe(0);
    expect(badRole.stderr).toContain("role must be admin or editor");
  });
});

describe("a node process", () => {
  it("serves the seeded library on first start and the same library, undoubled, after a restart", async () => {
    const dir = dataDir("restart");
    const first = await start(dir);
    const items = await listAll(first.url);
    expect(items).toHaveLength(seedCount);
    expect(seedCount).toBeGreaterThanOrEqual(14);
    // The home page serves the library: the newest seeds are listed by title.
    const home = await (await fetch(first.url, { headers: { accept: "text/html" } })).text();
    const newest = (await (await fetch(`${first.url}/api/items?limit=1`)).json()) as Listing;
    expect(home).toContain(newest.items[0]!.id.replace(first.url, ""));
    const token = await createTokenAsync(dir, "editor");
    const posted = await fetch(`${first.url}/api/items`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(draftFixture("case-study.rich")),
    });
    expect(posted.status).toBe(201);
    const { id, jws } = (await posted.json()) as { id: string; jws: string };
    const port = first.port;
    await stop(first);

    const second = await start(dir, port);
    const again = await listAll(second.url);
    expect(again).toHaveLength(seedCount + 1);
    expect(new Set(again.map((i) => i.id)).size).toBe(again.length);
    const kept = (await (await fetch(`${second.url}/api/items?id=${encodeURIComponent(id)}`)).json()) as {
      jws: string;
    };
    expect(kept.jws).toBe(jws);
    // The token made before the restart still works.
    const put = await fetch(`${second.url}/api/items?id=${encodeURIComponent(id)}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(draftFixture("case-study.rich")),
    });
    expect(put.status).toBe(200);
  });

  it("leaves no half-written version when killed with SIGKILL in the middle of writes", async () => {
    const dir = dataDir("crash");
    const node = await start(dir, undefined, ["--no-seed"]);
    const token = await createTokenAsync(dir, "editor");
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const acknowledged = new Map<string, number>();
    let stopWriting = false;
    const writer = async () => {
      while (!stopWriting) {
        try {
          const res = await fetch(`${node.url}/api/items`, {
            method: "POST",
            headers,
            body: JSON.stringify(draftFixture("case-study.rich")),
          });
          if (res.status !== 201) continue;
          const { id } = (await res.json()) as { id: string };
          acknowledged.set(id, 1);
          for (let v = 2; v <= 3 && !stopWriting; v++) {
            const put = await fetch(`${node.url}/api/items?id=${encodeURIComponent(id)}`, {
              method: "PUT",
              headers,
              body: JSON.stringify({ ...draftFixture("case-study.rich"), summary: `Revision ${v}.` }),
            });
            if (put.status === 200) acknowledged.set(id, v);
          }
        } catch {
          return; // the node is gone
        }
      }
    };
    const writers = Array.from({ length: 6 }, writer);
    await new Promise((r) => setTimeout(r, 1500));
    await stop(node, "kill");
    stopWriting = true;
    await Promise.all(writers);
    expect(acknowledged.size).toBeGreaterThan(5);

    const after = await start(dir, undefined, ["--no-seed"]);
    const jwks = ((await (await fetch(`${after.url}/.well-known/jwks.json`)).json()) as { keys: JWK[] }).keys;
    const items = await listAll(after.url);
    const byId = new Map(items.map((i) => [i.id, i]));
    // Every acknowledged write survived the crash.
    for (const [id, version] of acknowledged) expect(byId.get(id)?.version ?? 0).toBeGreaterThanOrEqual(version);
    // Every stored version is whole: contiguous, readable, and its signature verifies.
    for (const item of items) {
      const history = (await (
        await fetch(`${after.url}/api/items/versions?id=${encodeURIComponent(item.id)}`)
      ).json()) as { versions: { version: number }[] };
      expect(history.versions.map((v) => v.version)).toEqual(
        Array.from({ length: item.version }, (_, i) => item.version - i),
      );
      const head = (await (await fetch(`${after.url}/api/items?id=${encodeURIComponent(item.id)}`)).json()) as {
        document: Record<string, unknown>;
        jws: string;
      };
      expect(head.document.version).toBe(item.version);
      expect((await verifyDetachedJws(head.document, head.jws, jwks)).ok).toBe(true);
    }
  });

  it("verifies its items with `wego verify`, before and after `wego keys rotate`", async () => {
    const dir = dataDir("rotate");
    const node = await start(dir);
    const [first] = await listAll(node.url);
    const ok = runWego(["verify", first!.id, "--allow-private-address"]);
    expect(ok.stdout).toMatch(/^valid: /);
    expect(ok.status).toBe(0);
    // Refused without the flag: the node is on loopback.
    expect(runWego(["verify", first!.id]).status).toBe(1);
    const port = node.port;
    await stop(node);

    const rotated = runWego(["keys", "rotate", "--data", dir]);
    expect(rotated.status).toBe(0);
    const newKid = rotated.stdout.trim().split(" ").at(-1);
    const restarted = await start(dir, port);
    const token = await createTokenAsync(dir, "editor");
    const res = await fetch(`${restarted.url}/api/items`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(draftFixture("dataset.rich")),
    });
    const { id } = (await res.json()) as { id: string };
    const fresh = runWego(["verify", id, "--allow-private-address", "--json"]);
    expect(JSON.parse(fresh.stdout)).toMatchObject({ ok: true, kid: newKid });
    const old = runWego(["verify", first!.id, "--allow-private-address", "--json"]);
    const oldResult = JSON.parse(old.stdout) as { ok: boolean; kid: string };
    expect(oldResult.ok).toBe(true);
    expect(oldResult.kid).not.toBe(newKid);
  });
});
