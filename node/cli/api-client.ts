import { InvalidArgumentError } from "commander";

// The one HTTP client of the command line: every command that talks to a running node
// (peer, search, demo) asks through it, so the token, the timeout and the way the node's
// `{ "error", "details" }` answers become messages are written once.

/** Where {@link createApiClient} sends its requests, and how. */
export interface ApiClientOptions {
  /** The node's base URL, e.g. `http://localhost:8080`; checked (a bad one is a usage error). */
  readonly url: string;
  /** A bearer token, sent as `Authorization: Bearer …` (default none). */
  readonly token?: string;
  /** The `Accept` header (default `application/json`). */
  readonly accept?: string;
  /** Per-request timeout in ms (default 60 s). */
  readonly timeoutMs?: number;
}

/** A running node's HTTP API. Every method resolves to the parsed JSON answer or throws {@link ApiError}. */
export interface ApiClient {
  /** The checked base URL. */
  readonly base: URL;
  /** `GET path?query`; query values that are `undefined` are left out. */
  get<T>(path: string, query?: Readonly<Record<string, string | undefined>>): Promise<T>;
  /** `POST path` with a JSON body. */
  post<T>(path: string, body: Readonly<Record<string, unknown>>): Promise<T>;
}

/** A request the node refused (`status` is its HTTP status) or that never reached it (`status` null). */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    message: string,
    /** The URL asked for. */
    readonly url: string,
    /** The node's HTTP status; null when it could not be reached. */
    readonly status: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The default node address of the CLI's `--url` options. */
export const DEFAULT_NODE_URL = "http://localhost:8080";

/** The node's base URL from `--url`, checked. */
function baseUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`--url must be a URL like ${DEFAULT_NODE_URL}, got ${value}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new InvalidArgumentError(`--url must use http or https, got ${value}`);
  return url;
}

/** The node's `{ "error", "details"? }` answer as one line; the status when the answer is not that shape. */
function describeRefusal(res: Response, parsed: unknown): string {
  const err = parsed as { error?: unknown; details?: { path?: string; message?: string }[] } | null;
  const message = typeof err?.error === "string" ? err.error : `HTTP ${res.status} ${res.statusText}`;
  const details = Array.isArray(err?.details)
    ? err.details.map((d) => [d.path, d.message].filter(Boolean).join(" "))
    : [];
  return `${[message, ...details].join(": ")} (HTTP ${res.status})`;
}

/** Creates a client for one node; throws a usage error (commander's `InvalidArgumentError`) for a bad URL. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = baseUrl(options.url);
  const timeoutMs = options.timeoutMs ?? 60_000;

  async function send<T>(method: "GET" | "POST", url: URL, body?: Readonly<Record<string, unknown>>): Promise<T> {
    const headers: Record<string, string> = { accept: options.accept ?? "application/json" };
    if (body) headers["content-type"] = "application/json";
    if (options.token) headers["authorization"] = `Bearer ${options.token}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const why = (error as Error).cause ?? (error as Error).message;
      throw new ApiError(
        `cannot reach ${url.origin} (${String((why as Error)?.message ?? why)}); is the node running?`,
        url.href,
        null,
        { cause: error },
      );
    }
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON (a proxy's error page, say): reported below by status.
    }
    if (!res.ok) throw new ApiError(describeRefusal(res, parsed), url.href, res.status);
    if (parsed === null)
      throw new ApiError(`${url.href} did not answer JSON (HTTP ${res.status})`, url.href, res.status);
    return parsed as T;
  }

  return {
    base,
    get<T>(path: string, query: Readonly<Record<string, string | undefined>> = {}) {
      const url = new URL(path, base);
      for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
      return send<T>("GET", url);
    },
    post<T>(path: string, body: Readonly<Record<string, unknown>>) {
      return send<T>("POST", new URL(path, base), body);
    },
  };
}
