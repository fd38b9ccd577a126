import { describe, expect, it } from "vitest";
import { classifyAddress, invalidRange, refuseAddress } from "./address-policy.ts";

/** Expects each address of `table` to classify as the kind beside it. */
function expectClasses(table: readonly (readonly [address: string, kind: string])[]): void {
  for (const [address, kind] of table) expect(classifyAddress(address), address).toBe(kind);
}

describe("classifyAddress()", () => {
  it("calls globally routable addresses public", () =>
    expectClasses([
      ["8.8.8.8", "public"],
      ["2001:4860:4860::8888", "public"],
    ]));

  it("sees through IPv4-mapped, NAT64 and 6to4 forms to the IPv4 address they reach", () =>
    expectClasses([
      ["::ffff:127.0.0.1", "loopback"],
      ["::ffff:7f00:1", "loopback"],
      ["[::ffff:7f00:1]", "loopback"],
      ["::ffff:169.254.169.254", "linkLocal"],
      ["64:ff9b::7f00:1", "loopback"],
      ["64:ff9b::a9fe:a9fe", "linkLocal"],
      ["64:ff9b::808:808", "public"],
      ["2002:0a00:0001::1", "private"],
    ]));

  it("names the special ranges", () =>
    expectClasses([
      ["10.1.2.3", "private"],
      ["100.64.0.1", "carrierGradeNat"],
      ["169.254.169.254", "linkLocal"],
      ["0.0.0.0", "unspecified"],
      ["::1", "loopback"],
      ["fd00::1", "uniqueLocal"],
      ["fe80::1%eth0", "linkLocal"],
      ["not-an-ip", "invalid"],
    ]));
});

describe("refuseAddress()", () => {
  it("refuses every non-public address by default and allows public ones", () => {
    expect(refuseAddress("8.8.8.8", { allowPrivate: false })).toBeNull();
    expect(refuseAddress("::ffff:7f00:1", { allowPrivate: false })).toContain("loopback");
    expect(refuseAddress("64:ff9b::a9fe:a9fe", { allowPrivate: false })).toContain("linkLocal");
  });

  it("with allowed ranges lets only those private addresses through, in any spelling", () => {
    const policy = { allowPrivate: true, allowedRanges: ["127.0.0.1"] };
    expect(refuseAddress("127.0.0.1", policy)).toBeNull();
    expect(refuseAddress("::ffff:127.0.0.1", policy)).toBeNull();
    expect(refuseAddress("127.0.0.2", policy)).toContain("outside the allowed ranges");
    expect(refuseAddress("::ffff:7f00:2", policy)).toContain("outside the allowed ranges");
    expect(refuseAddress("169.254.169.254", policy)).toContain("outside the allowed ranges");
    expect(refuseAddress("8.8.8.8", policy)).toBeNull();
  });

  it("allows every range when private addresses are allowed without a list", () => {
    expect(refuseAddress("10.0.0.1", { allowPrivate: true })).toBeNull();
  });
});

describe("invalidRange()", () => {
  it("names the first range that is not a CIDR or address", () => {
    expect(invalidRange(["127.0.0.1", "10.0.0.0/8", "::1"])).toBeNull();
    expect(invalidRange(["127.0.0.1", "localhost"])).toBe("localhost");
  });
});
