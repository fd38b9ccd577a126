import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

describe("loadConfig()", () => {
  it("takes a PostgreSQL store from --database or WEGO_DATABASE_URL, SQLite by default, and refuses other URLs", () => {
    expect(loadConfig({}, {}).databaseUrl).toBeUndefined();
    const url = "postgres://wego@db.internal:5432/seoul";
    expect(loadConfig({}, { WEGO_DATABASE_URL: url }).databaseUrl).toBe(url);
    expect(loadConfig({ database: "postgresql://a@b/c" }, { WEGO_DATABASE_URL: url }).databaseUrl).toBe(
      "postgresql://a@b/c",
    );
    expect(() => loadConfig({ database: "mysql://a@b/c" }, {})).toThrow(ConfigError);
    expect(() => loadConfig({}, { WEGO_DATABASE_URL: "not a url" })).toThrow(ConfigError);
  });

  it("takes the largest upload from WEGO_MAX_UPLOAD_MB, 25 MB by default", () => {
    expect(loadConfig({}, {}).maxUploadBytes).toBe(25 * 1024 * 1024);
    expect(loadConfig({}, { WEGO_MAX_UPLOAD_MB: "100" }).maxUploadBytes).toBe(100 * 1024 * 1024);
  });

  it("refuses a WEGO_MAX_UPLOAD_MB that is not a whole number of megabytes from 1 to 4096", () => {
    for (const bad of ["0", "-5", "2.5", "lots", "5000"])
      expect(() => loadConfig({}, { WEGO_MAX_UPLOAD_MB: bad }), bad).toThrow(ConfigError);
  });

  it("takes the search threads from WEGO_SEARCH_THREADS (unset: the service's default), and refuses a bad count", () => {
    expect(loadConfig({}, {}).searchThreads).toBeUndefined();
    expect(loadConfig({}, { WEGO_SEARCH_THREADS: "0" }).searchThreads).toBe(0);
    expect(loadConfig({}, { WEGO_SEARCH_THREADS: "2" }).searchThreads).toBe(2);
    for (const bad of ["-1", "1.5", "17", "many"])
      expect(() => loadConfig({}, { WEGO_SEARCH_THREADS: bad }), bad).toThrow(ConfigError);
  });

  it("takes the delivery lease from WEGO_QUEUE_LEASE_MS, 60 s by default, and refuses one under 3 s or over an hour", () => {
    expect(loadConfig({}, {}).queueLeaseMs).toBe(60_000);
    expect(loadConfig({}, { WEGO_QUEUE_LEASE_MS: "5000" }).queueLeaseMs).toBe(5_000);
    for (const bad of ["0", "2999", "1.5", "3600001", "soon"])
      expect(() => loadConfig({}, { WEGO_QUEUE_LEASE_MS: bad }), bad).toThrow(ConfigError);
  });

  it("takes the profile's website and WeGO membership year from flags or the environment, and refuses bad ones", () => {
    expect(loadConfig({}, {})).toMatchObject({ website: undefined, memberSince: undefined });
    expect(loadConfig({ website: "https://english.seoul.go.kr", memberSince: "2010" }, {})).toMatchObject({
      website: "https://english.seoul.go.kr/",
      memberSince: "2010",
    });
    expect(loadConfig({}, { WEGO_WEBSITE: "https://busan.go.kr/", WEGO_MEMBER_SINCE: "2011" })).toMatchObject({
      website: "https://busan.go.kr/",
      memberSince: "2011",
    });
    expect(() => loadConfig({ website: "javascript:alert(1)" }, {})).toThrow(ConfigError);
    expect(() => loadConfig({ memberSince: "last year" }, {})).toThrow(ConfigError);
  });
});
