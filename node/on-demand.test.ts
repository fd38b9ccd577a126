import { describe, expect, it } from "vitest";
import { OnDemand } from "./on-demand.ts";

/** Resolves once `ready()` holds, polling (no time is asserted). */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((r) => setTimeout(r, 2));
}

class Thing {
  closed = false;
  async close(): Promise<void> {
    this.closed = true;
  }
}

describe("OnDemand", () => {
  it("starts nothing before the first use, and one instance for uses that overlap", async () => {
    const made: Thing[] = [];
    const od = new OnDemand(() => {
      const t = new Thing();
      made.push(t);
      return t;
    }, 60_000);
    expect(od.peek()).toBeUndefined();
    let release = () => {};
    const held = od.use(() => new Promise<void>((r) => (release = r)));
    const seen = await Promise.all([od.use(async (t) => t), od.use(async (t) => t)]);
    release();
    await held;
    expect(made).toHaveLength(1);
    expect(seen).toEqual([made[0], made[0]]);
    await od.close();
    expect(made[0]!.closed).toBe(true);
  });

  it("closes an instance idle for idleMs, never one in use, and starts a new one on the next use", async () => {
    const made: Thing[] = [];
    const od = new OnDemand(() => {
      const t = new Thing();
      made.push(t);
      return t;
    }, 0);
    let release = () => {};
    const held = od.use(() => new Promise<void>((r) => (release = r)));
    await od.use(async () => {});
    // The other use still runs: the end of this one starts no idle clock.
    await new Promise((r) => setTimeout(r, 20));
    expect(made[0]!.closed).toBe(false);
    release();
    await held;
    await until(() => made[0]!.closed);
    expect(od.peek()).toBeUndefined();
    await od.use(async () => {});
    expect(made).toHaveLength(2);
    expect(od.started).toBe(2);
    await od.close();
  });
});
