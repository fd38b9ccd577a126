import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeAccount, listAccounts, upsertUser } from "../db/accounts.ts";
import { User } from "../db/entities.ts";
import { startTestServer, webClient, type TestServer, type WebClient } from "../test-support.ts";
import { describeEachDatabase } from "../db/test-databases.ts";

let server: TestServer;
const ADMIN_PASSWORD = "a long admin password";

async function admin(): Promise<WebClient> {
  const c = webClient(server.url);
  expect((await c.logIn("chief", ADMIN_PASSWORD, "/admin/accounts")).status).toBe(303);
  return c;
}

/** Posts a form of the accounts page with a fresh CSRF token. */
async function post(c: WebClient, path: string, form: Record<string, string> = {}): Promise<Response> {
  return c.fetch(path, { form: { _csrf: await c.token("/admin/accounts"), ...form } });
}

async function flashOf(c: WebClient): Promise<string> {
  const page = await (await c.fetch("/admin/accounts")).text();
  return /<p class="(?:flash|alert)" role="(?:status|alert)">([^<]*)</.exec(page)?.[1] ?? "";
}

async function account(username: string) {
  return (await listAccounts(server.orm)).accounts.find((a) => a.username === username);
}

describeEachDatabase("the accounts pages", (database) => {
  beforeAll(async () => {
    server = await startTestServer({ database });
    await upsertUser(server.orm, "chief", ADMIN_PASSWORD, "admin");
  });
  afterAll(async () => server.close());
  describe("the admins' accounts page", () => {
    it("is for admins only: an editor is refused and a visitor is sent to log in", async () => {
      await upsertUser(server.orm, "clerk", "a long editor password", "editor");
      const editor = webClient(server.url);
      await editor.logIn("clerk", "a long editor password");
      expect((await editor.fetch("/admin/accounts")).status).toBe(403);
      const visitor = await webClient(server.url).fetch("/admin/accounts");
      expect(visitor.status).toBe(302);
      expect(visitor.headers.get("location")).toMatch(/^\/login\?next=/);
    });

    it("lists every account with its role and state, and never a password hash", async () => {
      const page = await (await (await admin()).fetch("/admin/accounts")).text();
      expect(page).toMatch(/<tr data-username="chief">[\s\S]*?Admin[\s\S]*?Active/);
      expect(page).toContain('<a href="/admin/accounts" aria-current="page">Accounts</a>');
      expect(page).not.toMatch(/scrypt|\$[0-9a-f]{16}/i);
    });

    it("adds an account who can then log in, and keeps what was typed when a password is too short", async () => {
      const c = await admin();
      const weak = await post(c, "/admin/accounts", { username: "j.kim", password: "short", role: "editor" });
      expect(weak.status).toBe(400);
      const page = await weak.text();
      expect(page).toContain('<p class="alert" role="alert" id="add-error">password: at least 12 characters</p>');
      expect(page).toContain('value="j.kim"');
      expect(await account("j.kim")).toBeUndefined();

      const added = await post(c, "/admin/accounts", {
        username: "j.kim",
        password: "twelve chars or more",
        role: "editor",
      });
      expect(added.status).toBe(302);
      expect(await flashOf(c)).toBe("Account added: j.kim");
      expect((await webClient(server.url).logIn("j.kim", "twelve chars or more")).status).toBe(303);
      const again = await post(c, "/admin/accounts", {
        username: "j.kim",
        password: "twelve chars or more",
        role: "admin",
      });
      expect(again.status).toBe(409);
      expect((await account("j.kim"))?.role).toBe("editor");
    });

    it("disabling an account logs it out at once and refuses its password; enabling restores it", async () => {
      await upsertUser(server.orm, "leaver", "a long leaver password", "editor");
      const leaver = webClient(server.url);
      await leaver.logIn("leaver", "a long leaver password");
      expect((await leaver.fetch("/official/new")).status).toBe(200);

      const c = await admin();
      expect((await post(c, "/admin/accounts/leaver/disable")).status).toBe(302);
      expect(await flashOf(c)).toBe("Account changed, and logged out everywhere: leaver");
      expect((await account("leaver"))?.disabledAt).not.toBeNull();
      expect((await leaver.fetch("/official/new")).status).toBe(302);
      const refused = await webClient(server.url).logIn("leaver", "a long leaver password");
      expect(refused.status).toBe(401);

      await post(c, "/admin/accounts/leaver/enable");
      expect((await webClient(server.url).logIn("leaver", "a long leaver password")).status).toBe(303);
    });

    it("a new role takes effect at once: a promoted editor logs in again as an admin", async () => {
      await upsertUser(server.orm, "deputy", "a long deputy password", "editor");
      const deputy = webClient(server.url);
      await deputy.logIn("deputy", "a long deputy password");
      expect((await deputy.fetch("/admin/accounts")).status).toBe(403);
      await post(await admin(), "/admin/accounts/deputy/role", { role: "admin" });
      expect((await deputy.fetch("/admin/accounts")).status).toBe(302);
      await deputy.logIn("deputy", "a long deputy password");
      expect((await deputy.fetch("/admin/accounts")).status).toBe(200);
      await post(await admin(), "/admin/accounts/deputy/role", { role: "editor" });
    });

    it("resets a password: the old one stops working, the new one works", async () => {
      await upsertUser(server.orm, "forgetful", "the old long password", "editor");
      const c = await admin();
      const short = await post(c, "/admin/accounts/forgetful/password", { password: "tiny" });
      expect(short.status).toBe(302);
      expect(await flashOf(c)).toBe("password: at least 12 characters");
      await post(c, "/admin/accounts/forgetful/password", { password: "the new long password" });
      expect((await webClient(server.url).logIn("forgetful", "the old long password")).status).toBe(401);
      expect((await webClient(server.url).logIn("forgetful", "the new long password")).status).toBe(303);
    });

    it("keeps the node manageable: no admin disables or demotes themselves, and the last admin stays", async () => {
      const c = await admin();
      await post(c, "/admin/accounts/chief/disable");
      expect(await flashOf(c)).toMatch(/^You cannot disable your own account/);
      await post(c, "/admin/accounts/chief/role", { role: "editor" });
      expect(await account("chief")).toMatchObject({ role: "admin", disabledAt: null });

      // Through the page only another admin can act on an admin, so "the last one" is reached
      // when two admins act at once, or from the command line: the store refuses it.
      await upsertUser(server.orm, "second", "a long second password", "admin");
      await post(c, "/admin/accounts/second/disable");
      expect(await changeAccount(server.orm, "chief", { disabled: true })).toEqual({ ok: false, reason: "last-admin" });
      expect(await changeAccount(server.orm, "chief", { role: "editor" })).toEqual({ ok: false, reason: "last-admin" });
      expect(await account("chief")).toMatchObject({ role: "admin", disabledAt: null });
    });

    it("refuses a change without the form's CSRF token", async () => {
      const c = await admin();
      const res = await c.fetch("/admin/accounts/clerk/disable", { form: { _csrf: "forged" } });
      expect(res.status).toBe(403);
      expect((await account("clerk"))?.disabledAt).toBeNull();
    });
  });

  describe("a node with more accounts than the page lists", () => {
    it("lists the first 500 by username and says how many there are in all", async () => {
      const createdAt = new Date().toISOString();
      await server.orm.em.fork().insertMany(
        User,
        Array.from({ length: 520 }, (_, i) => ({
          username: `zz-official-${String(i).padStart(3, "0")}`,
          passwordHash: "not a usable hash",
          role: "editor",
          createdAt,
        })),
      );
      const { total } = await listAccounts(server.orm);
      const page = await (await (await admin()).fetch("/admin/accounts")).text();
      expect(page.match(/<tr data-username=/g)).toHaveLength(500);
      expect(page).toContain(
        `<p class="hint" id="accounts-more">Showing the first 500 of ${total} accounts, by username. Manage the others on the server with the wego user command.</p>`,
      );
    });
  });
});
