import { afterEach, describe, expect, it, vi } from "vitest";
import { createRateBuckets } from "./rate-buckets.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("createRateBuckets()", () => {
  it("take() allows a key its burst, then refuses, while another key keeps its own", () => {
    vi.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z") });
    const buckets = createRateBuckets({ perSecond: 1, burst: 3, maxKeys: 10 });
    expect([1, 2, 3, 4].map(() => buckets.take("a.test"))).toEqual([true, true, true, false]);
    expect(buckets.take("b.test")).toBe(true);
  });

  it("take() refills at the sustained rate as the clock moves, never above the burst", () => {
    vi.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z") });
    const buckets = createRateBuckets({ perSecond: 0.5, burst: 2, maxKeys: 10 });
    expect([1, 2, 3].map(() => buckets.take("a.test"))).toEqual([true, true, false]);
    vi.setSystemTime(new Date("2026-01-01T00:00:02Z"));
    expect([1, 2].map(() => buckets.take("a.test"))).toEqual([true, false]);
    vi.setSystemTime(new Date("2026-01-01T01:00:00Z"));
    expect([1, 2, 3].map(() => buckets.take("a.test"))).toEqual([true, true, false]);
  });
});
