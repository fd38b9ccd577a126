import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOutbound, type Outbound } from "../net/outbound.ts";
import {
  classifyContactError,
  contactErrorMessage,
  contactFailureText,
  parseContactErrorMessage,
  type ContactFailure,
} from "./contact-errors.ts";
import { createDocumentLoaders } from "./document-loader.ts";

// Every error here is a real one: a real closed port, a real server that never answers or
// answers 502, a real TLS server with a self-signed certificate, a real DNS lookup of a
// name that cannot exist (.invalid, RFC 2606).

const servers: Server[] = [];
let guard: Outbound;
let base: string;
let closedPort: number;

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  guard = createOutbound({ policy: { allowPrivate: true, allowedRanges: ["127.0.0.1"] } });
  const port = await listen(
    createServer((req, res) => {
      if (req.url === "/silent") return; // accepts, never answers
      if (req.url === "/bad-gateway") return void res.writeHead(502).end("<h1>502 Bad Gateway</h1>");
      if (req.url === "/html") return void res.writeHead(200, { "content-type": "text/html" }).end("<p>hello</p>");
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    }),
  );
  base = `http://127.0.0.1:${port}`;
  const spare = createServer();
  closedPort = await new Promise<number>((resolve) =>
    spare.listen(0, "127.0.0.1", () => resolve((spare.address() as AddressInfo).port)),
  );
  await new Promise<void>((resolve) => spare.close(() => resolve()));
});
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await guard.close();
});

/** The failure of a fetch through the outbound guard that is expected to fail. */
async function failedFetch(url: string, timeoutMs?: number): Promise<ContactFailure> {
  const result = await guard.fetch(url, { timeoutMs });
  if (result.ok) throw new Error(`${url} answered ${result.status}`);
  return classifyContactError(result.cause ?? new Error(result.reason), { timeoutMs });
}

/** The failure of a document load that is expected to fail. */
async function failedLoad(url: string): Promise<ContactFailure> {
  const loaders = createDocumentLoaders({ outbound: guard });
  try {
    await loaders.documentLoader(url);
  } catch (error) {
    return classifyContactError(error);
  }
  throw new Error(`${url} loaded`);
}

describe("classifyContactError()", () => {
  it("says 'connection refused' for a closed port, through the guard and through the document loader", async () => {
    const direct = await failedFetch(`http://127.0.0.1:${closedPort}/actor`);
    expect(contactFailureText(direct)).toBe("connection refused");
    expect(contactFailureText(await failedLoad(`http://127.0.0.1:${closedPort}/outbox`))).toBe("connection refused");
  });

  it("says 'timed out after N s' with the budget that ran out", async () => {
    expect(contactFailureText(await failedFetch(`${base}/silent`, 500))).toBe("timed out after 0.5 s");
  });

  it("says 'answered HTTP 502' for a 502, and that an HTML page is not ActivityPub JSON", async () => {
    expect(contactFailureText(await failedLoad(`${base}/bad-gateway`))).toBe("answered HTTP 502");
    expect(contactFailureText(await failedLoad(`${base}/html`))).toBe(
      "answered something that is not ActivityPub JSON",
    );
  });

  it("says 'DNS name not found' for a name that does not exist", async () => {
    const failure = await failedLoad("http://nowhere.invalid/cities/x");
    expect(contactFailureText(failure)).toBe("DNS name not found");
  });

  it("says 'TLS certificate not valid' for a self-signed certificate", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wego-tls-"));
    try {
      execFileSync("openssl", [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
        ...["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=127.0.0.1"],
      ]);
      const tls = createTlsServer(
        { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) },
        (_req, res) => res.end("{}"),
      );
      const port = await listen(tls);
      expect(contactFailureText(await failedFetch(`https://127.0.0.1:${port}/actor`))).toBe(
        "TLS certificate not valid",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads Fedify's delivery error for an inbox that answered an error status", () => {
    const error = new Error(
      "Failed to send activity https://a.test/x#create to https://b.test/inbox (503 Service Unavailable):\nECONNREFUSED upstream",
    );
    expect(classifyContactError(error)).toEqual({ kind: "http", status: 503 });
  });
});

describe("parseContactErrorMessage()", () => {
  it("reads back every message the node writes, and nothing else", () => {
    const failures: ContactFailure[] = [
      { kind: "refused" },
      { kind: "timeout", seconds: 10 },
      { kind: "dns" },
      { kind: "tls" },
      { kind: "http", status: 502 },
      { kind: "not-collection" },
    ];
    for (const failure of failures) {
      expect(parseContactErrorMessage(contactErrorMessage(failure, "outbox"))).toEqual({
        ...failure,
        activity: "outbox",
      });
    }
    expect(parseContactErrorMessage("connection refused (delivering an activity)")?.activity).toBe("delivery");
    expect(parseContactErrorMessage("connect ECONNREFUSED 10.0.0.7:443")).toBeNull();
  });
});
