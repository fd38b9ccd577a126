import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

describe("loadConfig()", () => {
  it("takes the largest upload from WEGO_MAX_UPLOAD_MB, 25 MB by default", () => {
    expect(loadConfig({}, {}).maxUploadBytes).toBe(25 * 1024 * 1024);
    expect(loadConfig({}, { WEGO_MAX_UPLOAD_MB: "100" }).maxUploadBytes).toBe(100 * 1024 * 1024);
  });

  it("refuses a WEGO_MAX_UPLOAD_MB that is not a whole number of megabytes from 1 to 4096", () => {
    for (const bad of ["0", "-5", "2.5", "lots", "5000"])
      expect(() => loadConfig({}, { WEGO_MAX_UPLOAD_MB: bad }), bad).toThrow(ConfigError);
  });
});
