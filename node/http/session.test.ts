import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AddressInfo } from "node:net";
import {
  createTestLibrary,
  draftFixture,
  startTestServer,
  TEST_IDENTITY,
  webClient,
  type TestServer,
  type WebClient,
} from "../test-support.ts";
import { describeEachDatabase, type TestDatabase } from "../db/test-databases.ts";
import { createApp } from "../app.ts";
import { createLogger } from "../log.ts";
import { upsertUser } from "../db/accounts.ts";
import { busanCaseStudy } from "./test-support.ts";

let server: TestServer;
/** The database this run of the file's suites is on (nodes of their own too). */
let currentDatabase: TestDatabase | undefined;

/** A browser-like client of this file's server (or of `base`). */
const client = (base?: string): WebClient => webClient(base ?? server.url);

/** An attribute or text value as a browser reads it out of the HTML. */
const unescapeHtml = (text: string) =>
  text
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">");

/** A client logged in as editor1. */
async function loggedIn(): Promise<ReturnType<typeof client>> {
  const c = client();
  await logIn(c);
  return c;
}

/** Publishes `draft` as a local item by `author`. */
async function publish(draft: Record<string, unknown>, author: string) {
  const created = await server.library.create(draft, { author });
  if (!created.ok) throw new Error("fixture did not publish");
  return created.item;
}

async function logIn(c: ReturnType<typeof client>): Promise<Response> {
  const token = await c.token("/login");
  return c.fetch("/login", {
    form: { _csrf: token, username: "editor1", password: "correct horse battery", next: "/official/new" },
  });
}

describeEachDatabase("web sessions, CSRF, the forms and login limits", (database) => {
  beforeAll(async () => {
    server = await startTestServer({ database });
    await upsertUser(server.orm, "editor1", "correct horse battery", "editor");
  });
  afterAll(async () => server.close());
  describe("web sessions", () => {
    it("public pages give anonymous readers no session cookie", async () => {
      const res = await client().fetch("/");
      expect(res.status).toBe(200);
      expect(res.headers.getSetCookie().filter((c) => c.startsWith("wego_session"))).toEqual([]);
    });

    it("the login page sets an HttpOnly, SameSite=Lax session cookie and a CSRF field", async () => {
      const c = client();
      const res = await c.fetch("/login");
      const cookie = res.headers.getSetCookie().find((x) => x.startsWith("wego_session="))!;
      expect(cookie).toMatch(/httponly/i);
      expect(cookie).toMatch(/samesite=lax/i);
      expect(await res.text()).toMatch(/name="_csrf" value="[^"]{20,}"/);
    });

    it("logging in works with the right password and the form's CSRF token, and the session id changes", async () => {
      const c = client();
      await c.token("/login");
      const before = c.jar.get("wego_session");
      const res = await logIn(c);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/official/new");
      expect(c.jar.get("wego_session")).not.toBe(before);
      const page = await (await c.fetch("/official/new")).text();
      expect(page).toContain("<strong>editor1</strong>");
    });

    it("logging in starts a new session with a fresh CSRF secret: the login page's token no longer works", async () => {
      const c = client();
      const before = await c.token("/login");
      const res = await c.fetch("/login", {
        form: { _csrf: before, username: "editor1", password: "correct horse battery", next: "/" },
      });
      expect(res.status).toBe(303);
      expect((await c.fetch("/official/new/CaseStudy", { form: { _csrf: before, "/title": "x" } })).status).toBe(403);
      const after = await c.token("/official/new/CaseStudy");
      expect(after).not.toBe(before);
      expect((await c.fetch("/official/new/CaseStudy", { form: { _csrf: after, "/title": "x" } })).status).toBe(400);
    });

    it("a wrong password answers 401 with the form again and the username kept", async () => {
      const c = client();
      const token = await c.token("/login");
      const res = await c.fetch("/login", {
        form: { _csrf: token, username: "editor1", password: "wrong password!!" },
      });
      expect(res.status).toBe(401);
      const html = await res.text();
      expect(html).toContain("The username or password is not right.");
      expect(html).toContain('value="editor1"');
    });

    it("logging out ends the session on the server: the old cookie no longer works", async () => {
      const c = await loggedIn();
      const old = c.jar.get("wego_session")!;
      const token = await c.token("/official/new");
      expect((await c.fetch("/logout", { form: { _csrf: token } })).status).toBe(303);
      const replay = await fetch(`${server.url}/official/new`, {
        headers: { cookie: `wego_session=${old}` },
        redirect: "manual",
      });
      expect(replay.status).toBe(302);
      expect(replay.headers.get("location")).toMatch(/^\/login\?next=/);
      // The logged-out session's CSRF token is worthless in whatever session comes next.
      const next = await c.token("/login");
      expect(next).not.toBe(token);
      expect(
        (await c.fetch("/login", { form: { _csrf: token, username: "editor1", password: "correct horse battery" } }))
          .status,
      ).toBe(403);
    });
  });

  describe("behind a TLS proxy", () => {
    it("marks the session cookie Secure when the node's origin is https, though it is reached over http", async () => {
      const t = await createTestLibrary({
        ...TEST_IDENTITY,
        origin: "https://seoul.test",
        actorId: "https://seoul.test/cities/seoul",
      });
      const app = createApp({ ...t, logger: createLogger("error", () => {}), maxBodyBytes: 1024 * 1024 });
      const listening = app.listen(0, "127.0.0.1");
      await new Promise((resolve) => listening.once("listening", resolve));
      try {
        const res = await fetch(`http://127.0.0.1:${(listening.address() as AddressInfo).port}/login`);
        expect(res.status).toBe(200);
        expect(res.headers.getSetCookie().find((c) => c.startsWith("wego_session="))).toMatch(/;\s*secure/i);
      } finally {
        listening.close();
        await t.orm.close();
      }
    });
  });

  describe("CSRF", () => {
    it("refuses a form without a token, or with another session's token", async () => {
      const a = client();
      const b = client();
      await logIn(a);
      const tokenOfB = await b.token("/login");
      expect((await a.fetch("/official/new/CaseStudy", { form: { "/title": "x" } })).status).toBe(403);
      expect((await a.fetch("/official/new/CaseStudy", { form: { _csrf: tokenOfB, "/title": "x" } })).status).toBe(403);
      const good = await a.token("/official/new/CaseStudy");
      expect((await a.fetch("/official/new/CaseStudy", { form: { _csrf: good, "/title": "x" } })).status).toBe(400);
    });
  });

  describe("publishing through the form", () => {
    it("shows each validation error next to its field, keeps the values, then publishes", async () => {
      const c = await loggedIn();
      const token = await c.token("/official/new/CaseStudy");
      const form = {
        _csrf: token,
        _action: "save",
        "/title": "Open budget <dashboard>",
        "/summary": "Every line of the budget.",
        "/language": "en",
        "/startYear": "1900",
      };
      const bad = await c.fetch("/official/new/CaseStudy", { form });
      expect(bad.status).toBe(400);
      const html = await bad.text();
      expect(html).toMatch(/<p class="error-message" id="f-body-error">is required<\/p>/);
      expect(html).toMatch(/id="f-startYear-error">must be at least 1950/);
      expect(html).toContain('value="Open budget &lt;dashboard&gt;"');
      expect(html).toContain('aria-invalid="true"');
      const ok = await c.fetch("/official/new/CaseStudy", {
        form: { ...form, "/startYear": "2019", "/body": "## Why\n\nResidents asked." },
      });
      expect(ok.status).toBe(303);
      const page = await (await c.fetch(ok.headers.get("location")!)).text();
      expect(page).toContain("Published and signed.");
      expect(page).toContain("<h2>Why</h2>");
    });

    it("without JavaScript, Remove takes a row out and Add puts an empty one in, publishing nothing", async () => {
      const c = await loggedIn();
      const token = await c.token("/official/new/CaseStudy");
      const form = {
        _csrf: token,
        "/title": "Rows case",
        "/outcomes/0/metric": "Kept",
        "/outcomes/3/metric": "Dropped",
        "/outcomes/3/value": "7",
      };
      const removed = await c.fetch("/official/new/CaseStudy", { form: { ...form, _action: "remove:/outcomes/3" } });
      expect(removed.status).toBe(200);
      const html = await removed.text();
      expect(html).toContain('name="/outcomes/0/metric" value="Kept"');
      expect(html).not.toContain("Dropped");
      expect(html).not.toContain('name="/outcomes/3/');
      const added = await (
        await c.fetch("/official/new/CaseStudy", { form: { ...form, _action: "add:/outcomes" } })
      ).text();
      expect(added).toContain('name="/outcomes/4/metric" value=""');
      expect((await server.library.list({ type: "CaseStudy", limit: 500 })).items.map((i) => i.title)).not.toContain(
        "Rows case",
      );
    });

    it("a pathway's form offers the library's case studies to choose from, by title and city", async () => {
      const published = await publish({ ...draftFixture("case-study.rich"), title: "Choosable case" }, "test");
      const c = await loggedIn();
      const html = await (await c.fetch("/official/new/Pathway")).text();
      expect(html).toMatch(
        new RegExp(`<select id="f-case" name="/case"[^>]*>[\\s\\S]*<option value="${published.id}">Choosable case \\(`),
      );
    });

    it("a Korean pathway form names each case by its Korean title where it has one, by its own otherwise", async () => {
      const translated = await publish(
        {
          ...draftFixture("case-study.rich"),
          title: "Translated case",
          translations: { ko: { title: "번역된 사례", summary: "요약" } },
        },
        "test",
      );
      const { translations: _none, ...untranslated } = draftFixture("case-study.rich");
      const plain = await publish({ ...untranslated, title: "Untranslated case" }, "test");
      const c = await loggedIn();
      const html = await (await c.fetch("/official/new/Pathway?lang=ko")).text();
      expect(html).toContain(`<option value="${translated.id}">번역된 사례 (`);
      expect(html).toContain(`<option value="${plain.id}">Untranslated case (`);
      expect(await (await c.fetch("/official/new/Pathway?lang=en")).text()).toContain(
        `<option value="${translated.id}">Translated case (`,
      );
    });

    it("previews Markdown sanitized, without publishing", async () => {
      const c = await loggedIn();
      const token = await c.token("/official/new/CaseStudy");
      const res = await c.fetch("/official/preview", {
        form: { _csrf: token, markdown: "**bold** <script>alert(1)</script>" },
      });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain("<strong>bold</strong>");
      expect(text).not.toContain("<script");
    });
  });

  describe("editing and deleting through the forms", () => {
    it("edits a local item with its values filled in, then deletes it after confirmation", async () => {
      const published = await publish({ ...draftFixture("case-study.rich"), title: "Editable case" }, "test");
      const id = published.id;
      const c = await loggedIn();
      const edit = await c.fetch(`/official/edit?${new URLSearchParams({ id })}`);
      const html = await edit.text();
      expect(html).toContain('value="Editable case"');
      expect(html).toContain('name="_version" value="1"');
      const token = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
      // Every field as the form holds it, with a new title: what a browser would send back.
      const form: Record<string, string> = { _csrf: token, _version: "1", _action: "save" };
      for (const m of html.matchAll(
        /<input type="(?:text|url|email|date|number)" id="[^"]+" name="([^"]+)" value="([^"]*)"/g,
      ))
        form[m[1]!] = unescapeHtml(m[2]!);
      for (const m of html.matchAll(/<textarea[^>]* name="([^"]+)"[^>]*>([^<]*)<\/textarea>/g))
        form[m[1]!] = unescapeHtml(m[2]!);
      for (const m of html.matchAll(
        /<select id="[^"]+" name="([^"]+)"[^>]*>(?:(?!<\/select>)[\s\S])*?<option value="([^"]*)" selected>/g,
      ))
        form[m[1]!] = unescapeHtml(m[2]!);
      form["/title"] = "Edited case";
      const saved = await c.fetch(`/official/edit?${new URLSearchParams({ id })}`, { form });
      expect(saved.status).toBe(303);
      const after = (await server.library.get(id))!;
      expect(after.version).toBe(2);
      expect(after.title).toBe("Edited case");
      expect(after.document.outcomes).toEqual(published.document.outcomes);
      // The translations are edited beside the original, and come back as they were.
      expect(after.document.translations).toEqual(published.document.translations);

      // Publishing from a stale form is refused and the entered values stay.
      const stale = await c.fetch(`/official/edit?${new URLSearchParams({ id })}`, {
        form: { ...form, "/title": "Stale edit" },
      });
      expect(stale.status).toBe(409);
      expect(await stale.text()).toContain('value="Stale edit"');

      const confirm = await c.fetch(`/official/delete?${new URLSearchParams({ id })}`);
      const confirmHtml = await confirm.text();
      expect(confirmHtml).toContain("Delete “Edited case”?");
      const deleteToken = /name="_csrf" value="([^"]+)"/.exec(confirmHtml)![1]!;
      const deleted = await c.fetch(`/official/delete?${new URLSearchParams({ id })}`, {
        form: { _csrf: deleteToken, _version: "2" },
      });
      expect(deleted.status).toBe(303);
      expect((await server.library.get(id))!.deleted).toBe(true);
    });

    it("refuses to edit another city's item", async () => {
      const peerId = "http://busan.test/items/not-ours";
      const doc = busanCaseStudy(peerId, { city: "Busan" });
      await server.library.ingest({
        document: doc,
        jws: "h..s",
        origin: "http://busan.test",
        provenance: { via: "http://busan.test/cities/busan", receivedAt: "2026-01-02T00:00:00Z", kid: "k" },
      });
      const c = await loggedIn();
      const res = await c.fetch(`/official/edit?${new URLSearchParams({ id: peerId })}`);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain("Only the city that published an item can change it.");
    });
  });

  describe("version history on item pages", () => {
    it("names who wrote each version only to a signed-in official", async () => {
      const path = new URL(
        (await publish({ ...draftFixture("case-study.minimal"), title: "History case" }, "user:secret-author")).id,
      ).pathname;
      const anonymous = await (await client().fetch(path)).text();
      expect(anonymous).toContain("Version 1");
      expect(anonymous).not.toContain("secret-author");
      const c = await loggedIn();
      expect(await (await c.fetch(path)).text()).toContain("secret-author");
    });
  });

  /** A node of its own (fresh limits), optionally trusting an X-Forwarded-For proxy. */
  async function startNode(trustProxy: boolean): Promise<{ url: string; close(): Promise<void> }> {
    const t = await createTestLibrary(undefined, undefined, { database: currentDatabase });
    await upsertUser(t.orm, "editor1", "correct horse battery", "editor");
    const app = createApp({ ...t, logger: createLogger("error", () => {}), maxBodyBytes: 1024 * 1024, trustProxy });
    const listening = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => listening.once("listening", resolve));
    return {
      url: `http://127.0.0.1:${(listening.address() as AddressInfo).port}`,
      async close() {
        listening.closeAllConnections();
        listening.close();
        await t.orm.close();
      },
    };
  }

  /** Runs `use` with a client of a node of its own (see {@link startNode}), and closes the node after. */
  async function withNode(trustProxy: boolean, use: (c: ReturnType<typeof client>) => Promise<void>): Promise<void> {
    const node = await startNode(trustProxy);
    try {
      await use(client(node.url));
    } finally {
      await node.close();
    }
  }

  async function attempt(
    c: ReturnType<typeof client>,
    username: string,
    password: string,
    from?: string,
  ): Promise<Response> {
    const token = await c.token("/login");
    return c.fetch("/login", {
      form: { _csrf: token, username, password },
      headers: from ? { "x-forwarded-for": from } : {},
    });
  }

  describe("login rate limit", () => {
    it("limits failed logins per account, from any address: the right password is refused too once the limit is reached", () =>
      withNode(true, async (c) => {
        const statuses: number[] = [];
        for (let i = 0; i < 10; i++)
          statuses.push((await attempt(c, "editor1", `guess ${i}`, `198.51.100.${i + 1}`)).status);
        expect(statuses).toEqual(Array(10).fill(401));
        const refused = await attempt(c, "editor1", "correct horse battery", "198.51.100.200");
        expect(refused.status).toBe(429);
        expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
        // Another account from another address is not held up.
        expect((await attempt(c, "someone-else", "x", "198.51.100.201")).status).toBe(401);
      }));

    it("with --trust-proxy, each forwarded client has its own address limit; the proxy's last entry is the one believed", () =>
      withNode(true, async (c) => {
        for (let i = 0; i < 10; i++) expect((await attempt(c, `user${i}`, "x", "203.0.113.7")).status).toBe(401);
        expect((await attempt(c, "user-next", "x", "203.0.113.7")).status).toBe(429);
        // A client cannot pick its address by sending its own X-Forwarded-For first.
        expect((await attempt(c, "user-spoof", "x", "10.9.9.9, 203.0.113.7")).status).toBe(429);
        expect((await attempt(c, "editor1", "correct horse battery", "203.0.113.8")).status).toBe(303);
      }));

    it("counts failures only: a city hall behind one address logs in more often than the limit, and a success forgets the account's failures", () =>
      withNode(false, async (c) => {
        const statuses: number[] = [];
        for (let i = 0; i < 15; i++) statuses.push((await attempt(c, "editor1", "correct horse battery")).status);
        expect(statuses).toEqual(Array(15).fill(303));
        // Nine failures, a success, then nine more: the account never reaches its ten.
        for (let i = 0; i < 9; i++) expect((await attempt(c, "editor1", `typo ${i}`)).status).toBe(401);
        expect((await attempt(c, "editor1", "correct horse battery")).status).toBe(303);
        expect((await attempt(c, "editor1", "one more typo")).status).toBe(401);
      }));

    it("without --trust-proxy, X-Forwarded-For is ignored: one address, one limit", () =>
      withNode(false, async (c) => {
        for (let i = 0; i < 10; i++) expect((await attempt(c, `user${i}`, "x", `192.0.2.${i + 1}`)).status).toBe(401);
        expect((await attempt(c, "user-next", "x", "192.0.2.99")).status).toBe(429);
      }));

    it("answers 429 after ten attempts from one address", async () => {
      const c = client();
      const token = await c.token("/login");
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++)
        statuses.push((await c.fetch("/login", { form: { _csrf: token, username: "nobody", password: "x" } })).status);
      expect(statuses.at(-1)).toBe(429);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    });
  });
});
