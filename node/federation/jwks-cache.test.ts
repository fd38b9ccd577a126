import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createOutbound } from "../net/outbound.ts";
import { classifyContactError, contactFailureText } from "./contact-errors.ts";
import { createJwksCache } from "./jwks-cache.ts";

describe("createJwksCache()", () => {
  it("reports a failed fetch of an origin's keys with a reason that says 'connection refused'", async () => {
    const spare = createServer();
    await new Promise<void>((resolve) => spare.listen(0, "127.0.0.1", () => resolve()));
    const origin = `http://127.0.0.1:${(spare.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => spare.close(() => resolve()));
    const outbound = createOutbound({ policy: { allowPrivate: true, allowedRanges: ["127.0.0.1"] } });
    const failed: { origin: string; reason: string }[] = [];
    const load = createJwksCache({ outbound, onFetchFailed: (o, reason) => void failed.push({ origin: o, reason }) });
    try {
      expect((await load(origin, null)).ok).toBe(false);
    } finally {
      await outbound.close();
    }
    expect(failed.map((f) => f.origin)).toEqual([origin]);
    expect(contactFailureText(classifyContactError(new Error(failed[0]!.reason)))).toBe("connection refused");
  });
});
