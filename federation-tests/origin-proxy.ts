import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

// A small reverse proxy for process-level tests: one origin in front of one or more node
// processes, as a load balancer would be (round robin, the next backend when one refuses
// the connection). It keeps the Host header, so the nodes see the origin's requests as
// sent, and it records every exchange: what a peer delivered, what it fetched. A delay per
// request makes a peer slow, so a test can act in the middle of a fan-out or a backfill.

/** One request through the proxy and the answer it got. */
export interface Exchange {
  readonly method: string;
  /** The path and query. */
  readonly path: string;
  /** The backend's status, or 502 when no backend took the connection. */
  readonly status: number;
  /** The request body as text (requests of up to 2 MiB). */
  readonly body: string;
}

/** Options of {@link startOriginProxy}. */
export interface OriginProxyOptions {
  /** The backends' base URLs (`http://127.0.0.1:port`), asked in turn; read at each request. */
  readonly backends: () => readonly string[];
  /** Milliseconds to hold a request before forwarding it (default none). */
  readonly delayMs?: (method: string, path: string) => number;
}

/** A running proxy: its origin and what went through it. */
export interface OriginProxy {
  /** `http://127.0.0.1:<port>`, the nodes' `--origin`. */
  readonly url: string;
  /** Every exchange answered so far, in the order the answers came. */
  readonly exchanges: Exchange[];
  close(): Promise<void>;
}

const MAX_BODY = 2 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy(new Error("request body over the test proxy's limit"));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Forwards one request to `backend`; rejects when the connection is refused or breaks before an answer. */
function forward(
  backend: string,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }> {
  const target = new URL(backend);
  return new Promise((resolve, reject) => {
    const out = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, connection: "close" },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on("error", reject);
      },
    );
    out.on("error", reject);
    out.end(body);
  });
}

/** Starts a proxy on a free loopback port. */
export async function startOriginProxy(options: OriginProxyOptions): Promise<OriginProxy> {
  const exchanges: Exchange[] = [];
  let turn = 0;
  const server: Server = createServer(async (req, res) => {
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    try {
      const body = await readBody(req);
      const delay = options.delayMs?.(method, path) ?? 0;
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      const backends = options.backends();
      let answer: Awaited<ReturnType<typeof forward>> | null = null;
      for (let tried = 0; tried < backends.length && !answer; tried++) {
        const backend = backends[turn++ % backends.length]!;
        answer = await forward(backend, req, body).catch(() => null);
      }
      const status = answer?.status ?? 502;
      exchanges.push({ method, path, status, body: body.toString("utf8") });
      if (!answer) {
        res.writeHead(502, { "content-type": "text/plain" }).end("no backend answered");
        return;
      }
      const headers = { ...answer.headers };
      delete headers["transfer-encoding"];
      delete headers.connection;
      res.writeHead(status, headers).end(answer.body);
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain" }).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
