import { CommanderError, InvalidArgumentError } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../config.ts";
import { ApiError } from "./api-client.ts";
import { exitCodeOf, main } from "./main.ts";

/** What `fn` writes on stderr. */
function stderrOf(fn: () => unknown): string {
  let text = "";
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    text += String(chunk);
    return true;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return text;
}

afterEach(() => {
  process.exitCode = undefined;
});

describe("exitCodeOf()", () => {
  it("gives 2 for usage errors, with their message", () => {
    let code = 0;
    expect(stderrOf(() => (code = exitCodeOf(new InvalidArgumentError("role must be admin or editor"))))).toBe(
      "wego: role must be admin or editor\n",
    );
    expect(code).toBe(2);
    expect(stderrOf(() => (code = exitCodeOf(new ConfigError("port must be an integer"))))).toBe(
      "wego: port must be an integer\n",
    );
    expect(code).toBe(2);
    // Commander has printed its own already.
    expect(
      stderrOf(() => (code = exitCodeOf(new CommanderError(1, "commander.unknownOption", "unknown option")))),
    ).toBe("");
    expect(code).toBe(2);
    expect(exitCodeOf(new CommanderError(0, "commander.helpDisplayed", "(outputHelp)"))).toBe(0);
  });

  it("gives 1 for a node's refusal, with its message", () => {
    let code = 0;
    expect(stderrOf(() => (code = exitCodeOf(new ApiError("not found (HTTP 404)", "http://x/api/peers", 404))))).toBe(
      "wego: not found (HTTP 404)\n",
    );
    expect(code).toBe(1);
  });

  it("reports a TypeError as an internal error with its stack, exit 1, not as usage", () => {
    let code = 0;
    const text = stderrOf(() => (code = exitCodeOf(new TypeError("Cannot read properties of undefined"))));
    expect(code).toBe(1);
    expect(text).toMatch(/^wego: internal error: TypeError: Cannot read properties of undefined\n\s+at /);
  });
});

describe("main()", () => {
  it("exits 2 on an unknown option", async () => {
    const spy = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await main(["node", "wego", "peer", "list", "--bogus"])).toBe(2);
    } finally {
      spy.mockRestore();
    }
  });
});
