import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { draftFixture, startTestServer, type TestServer } from "../test-support.ts";

const WEGO = fileURLToPath(new URL("../../bin/wego.js", import.meta.url));
const run = promisify(execFile);

/** Runs `wego search …` against the test node; resolves with its status and output. */
async function wegoSearch(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [WEGO, "search", ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("wego search --sort", () => {
  let node: TestServer;

  beforeAll(async () => {
    node = await startTestServer({
      search: true,
      fill: async (library) => {
        const draft = draftFixture("case-study.minimal");
        for (const [title, startYear] of [
          ["Harbour call center", 2004],
          ["Bus call center", 2019],
          ["Market call center", 2011],
        ] as const) {
          const created = await library.create({ ...draft, title, startYear }, { author: "test" });
          if (!created.ok) throw new Error("fixture rejected");
        }
      },
    });
    await node.search!.settled();
  });
  afterAll(() => node?.close());

  it("wego search --sort oldest asks the node for that order and prints it", async () => {
    const { code, stdout } = await wegoSearch("call center", "--url", node.url, "--sort", "oldest", "--json");
    expect(code).toBe(0);
    const answer = JSON.parse(stdout) as { results: { year: number | null }[] };
    expect(answer.results.map((r) => r.year).filter((y) => y !== null)).toEqual([2004, 2011, 2019]);
  }, 60_000);

  it("wego search --sort with an unknown order fails with the node's message naming the orders", async () => {
    const { code, stderr } = await wegoSearch("call center", "--url", node.url, "--sort", "popular");
    expect(code).not.toBe(0);
    expect(stderr).toContain("sort must be one of relevance, newest, oldest, title");
  }, 60_000);
});
