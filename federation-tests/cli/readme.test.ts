import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { webClient } from "../../node/test-support.ts";
import { type NodeProcess, removeDir, ROOT, runWegoAsync, startNodeProcess, tempDir } from "../support.ts";

// The README is the front door (issue 10): short, and its first-login step works as written.

const README = readFileSync(join(ROOT, "README.md"), "utf8");

/** The text of the `## heading` section, up to the next heading of that level. */
function section(heading: string): string {
  const start = README.indexOf(`\n## ${heading}`);
  if (start < 0) return "";
  const end = README.indexOf("\n## ", start + 4);
  return README.slice(start, end < 0 ? undefined : end);
}

describe("README.md", () => {
  it("is a short front page: what it is, run it, the first login, the demo, what it offers, scaling out, where to go next, in that order", () => {
    expect(README.split("\n").length).toBeLessThanOrEqual(100);
    const headings = [...README.matchAll(/^## (.+)$/gm)].map((m) => m[1]!);
    expect(headings).toEqual([
      "Run it, test it",
      "First login",
      "Demo",
      "Assessing and adopting",
      "Out of the node: where people already work",
      "Scale out",
      "Where to go next",
    ]);
    expect(section("Run it")).toContain("npm start");
    // The depth lives in docs/: no benchmark tables or index internals on the front page.
    expect(README).not.toMatch(/^\|.*p95|segment|BM25/im);
  });

  it("links only to files that exist", () => {
    const links = [...README.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!);
    const local = links.filter((href) => !/^[a-z]+:/i.test(href));
    expect(local.length).toBeGreaterThan(5);
    for (const href of local) expect(existsSync(join(dirname(join(ROOT, "README.md")), href)), href).toBe(true);
  });

  describe("its first-login step, run as written against a new node", () => {
    const dataDir = tempDir("readme");
    let node: NodeProcess | undefined;
    afterAll(async () => {
      await node?.stop();
      removeDir(dataDir);
    });

    it("makes an admin who logs in on the login page and reaches the accounts page", async () => {
      const command = /^npx wego (user add .*?)\s*(?:#.*)?$/m.exec(section("First login"))?.[1];
      expect(command).toBeDefined();
      const args = command!.split(/\s+/).map((arg) => (arg === "./data" ? dataDir : arg));
      const username = args.at(-1)!;
      const password = "a long first password";
      // The command asks for the password twice.
      const added = await runWegoAsync(args, `${password}\n${password}\n`);
      expect(added.status, added.stderr).toBe(0);

      node = await startNodeProcess({ dataDir, args: ["--no-seed"] });
      const c = webClient(node.url);
      const csrf = await c.token("/login");
      const login = await c.fetch("/login", { form: { _csrf: csrf, username, password, next: "/admin/accounts" } });
      expect(login.status).toBe(303);
      expect(login.headers.get("location")).toBe("/admin/accounts");
      const accounts = await c.fetch("/admin/accounts");
      expect(accounts.status).toBe(200);
      expect(await accounts.text()).toContain(`>${username}<`);
    });
  });
});
