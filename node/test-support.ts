import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { openDatabase, type Orm } from "./db/orm.ts";
import { createKeyStore } from "./db/key-store.ts";
import type { TestDatabase } from "./db/test-databases.ts";
import type { KeyStore } from "./signing/keys.ts";
import { createDocumentValidator, type DocumentValidator } from "./library/validation.ts";
import { createLibrary, MANAGED_FIELDS, type Library, type LibraryOptions } from "./library/library.ts";
import type { NodeIdentity } from "./library/identity.ts";
import { createLogger } from "./log.ts";
import { createApp } from "./app.ts";
import { createSearchService, type SearchService, type SearchServiceOptions } from "./search/service.ts";

/** A library over a private in-memory database, for one test file. */
export interface TestLibrary {
  readonly orm: Orm;
  readonly keys: KeyStore;
  readonly validator: DocumentValidator;
  readonly library: Library;
  readonly identity: NodeIdentity;
}

/** The identity test nodes use unless told otherwise. */
export const TEST_IDENTITY: NodeIdentity = {
  origin: "http://seoul.test",
  city: "seoul",
  name: "Seoul Metropolitan Government",
  country: "KR",
  actorId: "http://seoul.test/cities/seoul",
};

/** Opens a fresh in-memory node store (or one on `options.database`) with keys, validator and library. */
export async function createTestLibrary(
  identity: NodeIdentity = TEST_IDENTITY,
  dataDir = ":memory:",
  options: Pick<LibraryOptions, "render" | "onRenderError"> & { readonly database?: TestDatabase } = {},
): Promise<TestLibrary> {
  const orm = options.database ? await options.database.open(dataDir) : await openDatabase({ dataDir });
  const keys = createKeyStore({ orm });
  const validator = createDocumentValidator();
  const library = createLibrary({ orm, keys, validator, identity, ...options });
  return { orm, keys, validator, library, identity };
}

/** A valid fixture of schemas/fixtures/valid without its managed fields: what a client POSTs. */
export function draftFixture(name: string): Record<string, unknown> {
  const doc = JSON.parse(
    readFileSync(new URL(`../schemas/fixtures/valid/${name}.json`, import.meta.url), "utf8"),
  ) as Record<string, unknown>;
  for (const field of MANAGED_FIELDS) delete doc[field];
  return doc;
}

/** A test library served over real HTTP on a free loopback port. */
export interface TestServer extends TestLibrary {
  readonly url: string;
  /** The search service, when asked for. */
  readonly search?: SearchService;
  close(): Promise<void>;
}

/** Options of {@link startTestServer}. */
export interface TestServerOptions {
  /** Also run the search service and serve `/api/search` (default false: it starts worker threads). */
  readonly search?: boolean | Pick<SearchServiceOptions, "readyWaitMs" | "queryThreads" | "maxQueuedQueries">;
  /** Fills the library before the search service starts. */
  readonly fill?: (library: Library) => Promise<void>;
  /** Store uploaded dataset files in this folder (default: the forms take no files). */
  readonly uploads?: { readonly dir: string; readonly maxBytes?: number };
  /** The database to serve from (default SQLite in memory). */
  readonly database?: TestDatabase;
}

/** Serves a fresh node (in memory, or on `options.database`) on 127.0.0.1 (port chosen by the OS). */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const base = await createTestLibrary(undefined, undefined, { database: options.database });
  await options.fill?.(base.library);
  const search = options.search
    ? await createSearchService({
        orm: base.orm,
        library: base.library,
        dataDir: ":memory:",
        ...(typeof options.search === "object" ? options.search : {}),
      })
    : undefined;
  const app = createApp({
    ...base,
    search,
    logger: createLogger("error", () => {}),
    maxBodyBytes: 1024 * 1024,
    uploadsDir: options.uploads?.dir,
    maxUploadBytes: options.uploads?.maxBytes,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    ...base,
    url: `http://127.0.0.1:${port}`,
    search,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await search?.close();
      await base.library.close();
      await base.orm.close();
    },
  };
}

/** A browser-like client of a test server: keeps cookies, never follows redirects. */
export interface WebClient {
  readonly jar: Map<string, string>;
  fetch(
    path: string,
    init?: { method?: string; form?: Record<string, string>; headers?: Record<string, string> },
  ): Promise<Response>;
  /** The CSRF token of the page at `path`. */
  token(path: string): Promise<string>;
  /** Logs in through the login form; resolves with the login's response. */
  logIn(username: string, password: string, next?: string): Promise<Response>;
}

/** A {@link WebClient} of the server at `base`. */
export function webClient(base: string): WebClient {
  const jar = new Map<string, string>();
  const client: WebClient = {
    jar,
    async fetch(path, init = {}) {
      const headers: Record<string, string> = { accept: "text/html", ...init.headers };
      if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
      let body: string | undefined;
      if (init.form) {
        body = new URLSearchParams(init.form).toString();
        headers["content-type"] = "application/x-www-form-urlencoded";
      }
      const res = await fetch(base + path, {
        method: init.method ?? (body ? "POST" : "GET"),
        headers,
        body,
        redirect: "manual",
      });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(";");
        const [k, v] = pair!.split("=");
        if (v) jar.set(k!, v);
        else jar.delete(k!);
      }
      return res;
    },
    async token(path) {
      const html = await (await client.fetch(path)).text();
      return /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    },
    async logIn(username, password, next = "/") {
      const token = await client.token("/login");
      return client.fetch("/login", { form: { _csrf: token, username, password, next } });
    },
  };
  return client;
}

/** A second Node.js process running test code: another process on the same database. */
export interface TsxChild {
  readonly child: ChildProcess;
  /** What it printed on stdout so far. */
  stdout(): string;
  /** What it printed on stderr so far. */
  stderr(): string;
  /** Resolves with the signal that ended it (null when it exited by itself). */
  readonly exited: Promise<NodeJS.Signals | null>;
}

/**
 * Runs `code` (an ES module; it imports this repository's TypeScript through tsx by absolute
 * path) in a child process in the repository's root, collecting its output; `onLine` is
 * called with each whole line it prints on stdout.
 */
export function spawnTsxChild(code: string, onLine?: (line: string) => void): TsxChild {
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  let partial = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    if (!onLine) return;
    const lines = (partial + d.toString()).split("\n");
    partial = lines.pop()!;
    for (const line of lines) onLine(line);
  });
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((r) => child.on("exit", (_code, signal) => r(signal)));
  return { child, stdout: () => out, stderr: () => err, exited };
}
