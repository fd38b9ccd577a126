import { afterEach, beforeEach, expect, it } from "vitest";
import { createTestLibrary, type TestLibrary } from "../test-support.ts";
import { changeAccount, upsertUser } from "./accounts.ts";
import { describeEachDatabase } from "./test-databases.ts";
import { createWebSessionStore, type WebSessionStore } from "./web-sessions.ts";

let t: TestLibrary;
let store: WebSessionStore;
const HOUR = 60 * 60 * 1000;

describeEachDatabase("web sessions", (database) => {
  beforeEach(async () => {
    t = await createTestLibrary(undefined, undefined, { database });
    store = createWebSessionStore(t.orm, { defaultTtlMs: HOUR });
    // A second admin, so that clerk may be demoted or disabled (the last admin may not).
    await upsertUser(t.orm, "chief", "a long admin password", "admin");
    await upsertUser(t.orm, "clerk", "a long editor password", "admin");
  });
  afterEach(async () => {
    await t.orm.close();
  });

  const session = (username: string, role: string) => ({ user: { username, role, name: `user:${username}` } });

  it("keep a login's session until it expires", async () => {
    await store.set("key-1", session("clerk", "admin"), HOUR);
    expect(await store.get("key-1")).toEqual(session("clerk", "admin"));
    await store.set("key-2", { secret: "s" }, 1);
    await new Promise((r) => setTimeout(r, 5));
    expect(await store.get("key-2")).toBeUndefined();
  });

  it("log no one in once the login is disabled, even when a request writes the session back afterwards", async () => {
    await store.set("key-1", session("clerk", "admin"), HOUR);
    expect((await changeAccount(t.orm, "clerk", { disabled: true })).ok).toBe(true);
    expect(await store.get("key-1")).toBeUndefined();
    // What a request in flight during the change does when it ends: koa-session saves.
    await store.set("key-1", session("clerk", "admin"), HOUR);
    expect(await store.get("key-1")).toBeUndefined();
  });

  it("never keep a role an admin took away, and nothing for a login that no longer exists", async () => {
    expect((await changeAccount(t.orm, "clerk", { role: "editor" })).ok).toBe(true);
    await store.set("key-1", session("clerk", "admin"), HOUR);
    expect(await store.get("key-1")).toBeUndefined();
    await store.set("key-2", session("clerk", "editor"), HOUR);
    expect(await store.get("key-2")).toEqual(session("clerk", "editor"));
    await store.set("key-3", session("nobody", "admin"), HOUR);
    expect(await store.get("key-3")).toBeUndefined();
  });

  it("keep an anonymous session (a CSRF secret before login) as it is", async () => {
    await store.set("key-1", { secret: "csrf-secret" }, HOUR);
    expect(await store.get("key-1")).toEqual({ secret: "csrf-secret" });
  });
});
