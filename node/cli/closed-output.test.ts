import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endQuietlyWhenOutputCloses } from "./closed-output.ts";

const WEGO = fileURLToPath(new URL("../../bin/wego.js", import.meta.url));

/** An error as a failed write raises it. */
function writeError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`write ${code}`), { code, syscall: "write" });
}

describe("endQuietlyWhenOutputCloses()", () => {
  it("ends with status 0 when the reader has closed the output (EPIPE)", () => {
    const output = new PassThrough();
    const codes: number[] = [];
    endQuietlyWhenOutputCloses({ output, exit: (code) => codes.push(code) });
    endQuietlyWhenOutputCloses({ output, exit: (code) => codes.push(code) });
    output.emit("error", writeError("EPIPE"));
    expect(codes).toEqual([0]);
  });

  it("leaves any other error of the output to Node", () => {
    const output = new PassThrough();
    const codes: number[] = [];
    endQuietlyWhenOutputCloses({ output, exit: (code) => codes.push(code) });
    expect(() => output.emit("error", writeError("EIO"))).toThrow("write EIO");
    expect(codes).toEqual([]);
  });
});

// A node answering every search with far more text than a pipe holds, so the CLI is still
// writing when the reader goes away.
let server: Server;
let url: string;

beforeAll(async () => {
  const results = Array.from({ length: 100 }, (_, i) => ({
    id: `http://node.test/items/case-${i}`,
    type: "CaseStudy",
    title: `Case ${i} ${"word ".repeat(4000)}`,
    city: "Seoul",
    origin: "http://node.test",
    local: true,
    verified: true,
  }));
  const body = JSON.stringify({ total: results.length, results });
  server = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(body));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("wego search … | head", () => {
  it("ends with status 0 and nothing on stderr when the reader closes after the first chunk", async () => {
    const child = spawn(process.execPath, [WEGO, "search", "voting", "--url", url], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.once("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      child.stdout.destroy();
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    expect(stdout).toMatch(/^100 results\n/);
    expect(stderr).toBe("");
    expect(status).toBe(0);
  }, 30_000);
});
