import { describe, expect, it } from "vitest";
import { checkCredentials, hashPassword, verifyPassword } from "./passwords.ts";

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

  it("checkCredentials() explains what is wrong with a username or password", () => {
    expect(checkCredentials("ok.name", "twelve chars")).toEqual([]);
    expect(checkCredentials("a", "short")).toEqual([
      "username: 2–63 letters, digits, dots, dashes or underscores",
      "password: at least 12 characters",
    ]);
  });
});
