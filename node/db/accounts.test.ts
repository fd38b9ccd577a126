import { afterEach, beforeEach, expect, it } from "vitest";
import { User } from "./entities.ts";
import type { Orm } from "./orm.ts";
import { describeEachDatabase } from "./test-databases.ts";
import { authenticatePassword, upsertUser } from "./accounts.ts";

let orm: Orm;
describeEachDatabase("accounts", (database) => {
  beforeEach(async () => {
    orm = await database.open();
  });
  afterEach(async () => {
    await orm.close();
  });

  it("upsertUser() stores no plain password and authenticatePassword() checks it", async () => {
    expect(await upsertUser(orm, "minji.kim", "a long enough password", "editor")).toBe("created");
    const row = await orm.em.fork().findOne(User, { username: "minji.kim" });
    expect(row?.passwordHash).not.toContain("a long enough password");
    expect(await authenticatePassword(orm, "minji.kim", "a long enough password")).toEqual({
      role: "editor",
      name: "user:minji.kim",
      username: "minji.kim",
    });
    expect(await authenticatePassword(orm, "minji.kim", "wrong password here")).toBeNull();
    expect(await authenticatePassword(orm, "nobody", "a long enough password")).toBeNull();
    expect(await upsertUser(orm, "minji.kim", "another long password", "admin")).toBe("updated");
    expect((await authenticatePassword(orm, "minji.kim", "another long password"))?.role).toBe("admin");
  });
});
