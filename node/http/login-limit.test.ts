import { describe, expect, it } from "vitest";
import { createFailureCounter } from "./login-limit.ts";

describe("createFailureCounter()", () => {
  it("refuses a key after max failures until its window ends, and clear() forgets it", () => {
    let t = 0;
    const c = createFailureCounter({ max: 3, windowMs: 60_000, now: () => t });
    for (let i = 0; i < 3; i++) {
      expect(c.retryAfter("kim")).toBe(0);
      c.fail("kim");
    }
    expect(c.retryAfter("kim")).toBe(60);
    expect(c.retryAfter("lee")).toBe(0);
    t = 59_000;
    expect(c.retryAfter("kim")).toBe(1);
    t = 60_000;
    expect(c.retryAfter("kim")).toBe(0);
    c.fail("lee");
    c.clear("lee");
    expect(c.size).toBe(0);
  });

  it("holds at most maxKeys keys, dropping the oldest windows first", () => {
    let t = 0;
    const c = createFailureCounter({ max: 1, windowMs: 1_000, maxKeys: 100, now: () => t });
    for (let i = 0; i < 50; i++) c.fail(`old-${i}`);
    t = 500;
    c.fail("target");
    t = 1_200;
    for (let i = 0; i < 100_000; i++) c.fail(`flood-${i}`);
    expect(c.size).toBe(100);
    expect(c.retryAfter("flood-99999")).toBe(1);
  });
});
