import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { User } from "../db/entities.ts";
import { openDatabase, type Orm } from "../db/orm.ts";
import { authenticatePassword, checkCredentials, hashPassword, upsertUser, verifyPassword } from "./passwords.ts";

let orm: Orm;
beforeEach(async () => {
  orm = await openDatabase({ dataDir: ":memory:" });
});
afterEach(async () => {
  await orm.close();
});

describe("passwords", () => {
  it("hashPassword() salts scrypt hashes that verifyPassword() accepts only for the same password", async () => {
    const a = await hashPassword("correct horse battery");
    const b = await hashPassword("correct horse battery");
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse battery", a)).toBe(true);
    expect(await verifyPassword("correct horse batterY", a)).toBe(false);
    expect(await verifyPassword("anything", "not-a-hash")).toBe(false);
  });

  it("upsertUser() stores no plain password and authenticatePassword() checks it", async () => {
    expect(await upsertUser(orm, "minji.kim", "a long enough password", "editor")).toBe("created");
    const row = await orm.em.fork().findOne(User, { username: "minji.kim" });
    expect(row?.passwordHash).not.toContain("a long enough password");
    expect(await authenticatePassword(orm, "minji.kim", "a long enough password")).toEqual({ role: "editor", name: "user:minji.kim", username: "minji.kim" });
    expect(await authenticatePassword(orm, "minji.kim", "wrong password here")).toBeNull();
    expect(await authenticatePassword(orm, "nobody", "a long enough password")).toBeNull();
    expect(await upsertUser(orm, "minji.kim", "another long password", "admin")).toBe("updated");
    expect((await authenticatePassword(orm, "minji.kim", "another long password"))?.role).toBe("admin");
  });

  it("checkCredentials() explains what is wrong with a username or password", () => {
    expect(checkCredentials("ok.name", "twelve chars")).toEqual([]);
    expect(checkCredentials("a", "short")).toEqual(["username: 2–63 letters, digits, dots, dashes or underscores", "password: at least 12 characters"]);
  });
});
