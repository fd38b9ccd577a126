import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeDir, runWegoAsync, startNodeProcess, tempDir, type NodeProcess } from "../support.ts";

// A researcher archives a node's signed library (`GET /api/export`) and later proves that
// nothing in it changed with `wego verify-bundle`: against a real node process, and offline.

let node: NodeProcess;
const dirs: string[] = [];
let bundle: string;
let lines: string[];

beforeAll(async () => {
  const dataDir = tempDir("wego-bundle-node-");
  const work = tempDir("wego-bundle-files-");
  dirs.push(dataDir, work);
  node = await startNodeProcess({ dataDir, args: ["--allow-private-address"] });
  const res = await fetch(`${node.url}/api/export`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
  const text = await res.text();
  bundle = join(work, "library.ndjson");
  writeFileSync(bundle, text);
  lines = text.trimEnd().split("\n");
}, 120_000);
afterAll(async () => {
  await node?.kill();
  for (const d of dirs) removeDir(d);
});

describe("wego verify-bundle", () => {
  it("verifies every item of a node's export against the node's published keys", async () => {
    const listed = (await (await fetch(`${node.url}/api/items?limit=500`)).json()) as { total: number };
    expect(lines).toHaveLength(listed.total);
    const r = await runWegoAsync(["verify-bundle", bundle, "--allow-private-address", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { checked: number; valid: number; failures: unknown[] };
    expect(report).toMatchObject({ checked: lines.length, valid: lines.length, failures: [] });
  }, 120_000);

  it("fails a bundle with one byte changed at that line, naming the item and the reason, and checks the rest", async () => {
    const target = 4;
    const changed = lines.map((line, i) => (i === target - 1 ? line.replace('"version":1', '"version":2') : line));
    expect(changed[target - 1]).not.toBe(lines[target - 1]);
    const tampered = join(dirs[1]!, "tampered.ndjson");
    writeFileSync(tampered, `${changed.join("\n")}\n`);
    const r = await runWegoAsync(["verify-bundle", tampered, "--allow-private-address"]);
    expect(r.status).toBe(1);
    const id = (JSON.parse(lines[target - 1]!) as { document: { id: string } }).document.id;
    expect(r.stdout).toContain(`${lines.length - 1} of ${lines.length} items verified`);
    expect(r.stdout).toContain(`line ${target} (${id}): INVALID: `);
    expect(r.stdout.match(/INVALID/g)).toHaveLength(1);
  }, 120_000);

  it("verifies offline with keys saved from an earlier run, and says which keys are missing", async () => {
    const keys = join(dirs[1]!, "keys");
    const saved = await runWegoAsync(["verify-bundle", bundle, "--allow-private-address", "--save-keys", keys]);
    expect(saved.status).toBe(0);
    const host = new URL(node.url).host.replace(":", "_");
    expect((JSON.parse(readFileSync(join(keys, `${host}.json`), "utf8")) as { keys: unknown[] }).keys.length).toBe(
      ((await (await fetch(`${node.url}/.well-known/jwks.json`)).json()) as { keys: unknown[] }).keys.length,
    );
    // The node is stopped: nothing can be fetched any more.
    await node.kill();
    const offline = await runWegoAsync(["verify-bundle", bundle, "--keys", keys]);
    expect(offline.stdout).toContain(`${lines.length} of ${lines.length} items verified`);
    expect(offline.status).toBe(0);
    const none = await runWegoAsync(["verify-bundle", bundle, "--keys", join(dirs[1]!, "no-such-folder")]);
    expect(none.status).toBe(1);
    expect(none.stdout).toContain(`INVALID: no keys for ${node.url} in`);
  }, 180_000);
});
