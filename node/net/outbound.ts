import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { Agent, buildConnector, setGlobalDispatcher, type Dispatcher } from "undici";
import { refuseAddress, type AddressPolicy } from "./address-policy.ts";

/** Resolves a host name to its addresses (default: the system resolver, every address). */
export type Resolver = (hostname: string) => Promise<string[]>;

/** Options of {@link createOutbound}. */
export interface OutboundOptions {
  readonly policy: AddressPolicy;
  /** Host name resolution (default `dns.lookup(…, { all: true })`); tests inject their own. */
  readonly resolve?: Resolver;
  /** TCP/TLS connect timeout in ms (default 10 s). */
  readonly connectTimeoutMs?: number;
}

/** Options of one {@link Outbound.fetch}. */
export interface OutboundFetchOptions {
  readonly method?: string;
  readonly headers?: HeadersInit;
  readonly body?: string | Uint8Array;
  /** Largest response body read, in bytes (default 1 MiB); a larger one fails the fetch. */
  readonly maxBytes?: number;
  /** Budget for the whole fetch, redirects and body included, in ms (default 10 s). */
  readonly timeoutMs?: number;
  /** Redirects followed (default 5, at most 5); each hop is checked like the first. */
  readonly maxRedirects?: number;
  /** Called for each hop before it is sent (e.g. to sign it); returns the request to send. */
  readonly prepare?: (request: Request) => Promise<Request>;
  readonly signal?: AbortSignal;
}

/** A response read within budget: final URL, status, headers and the whole body. */
export interface OutboundResponse {
  readonly url: URL;
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

/** Outcome of {@link Outbound.fetch}: the response, or why there is none. */
export type OutboundResult =
  | ({ readonly ok: true } & OutboundResponse)
  | {
      readonly ok: false;
      readonly reason: string;
      /** The error behind `reason` (undici's, with its `cause` chain and `code`), when there was one. */
      readonly cause?: unknown;
    };

/** The node's one door out: every request it makes to another host goes through here. */
export interface Outbound {
  readonly policy: AddressPolicy;
  /** The undici dispatcher whose connector checks the address it connects to. */
  readonly dispatcher: Dispatcher;
  /** Fetches `url` within the byte, time and redirect budget. */
  fetch(url: URL | string, options?: OutboundFetchOptions): Promise<OutboundResult>;
  /** Why `url` is not fetched at all (scheme, or a literal address the policy refuses), or null. */
  refuseUrl(url: URL): string | null;
  close(): Promise<void>;
}

/** The hard ceiling on redirects, whatever a caller asks for. */
export const MAX_REDIRECTS = 5;

const defaultResolve: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/** An error the connector raises for a refused address; its message reaches logs. */
export class RefusedAddressError extends Error {
  override name = "RefusedAddressError";
  constructor(
    message: string,
    readonly hostname: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Builds the outbound guard. The connector resolves the host itself, refuses it unless
 * every address it resolves to is allowed by the policy, and connects to the very address
 * it checked: a DNS answer that changes between check and connect (rebinding) cannot
 * slip a private address in.
 */
export function createOutbound(options: OutboundOptions): Outbound {
  const { policy } = options;
  const resolve = options.resolve ?? defaultResolve;
  const connect = buildConnector({ timeout: options.connectTimeoutMs ?? 10_000 });

  const guardedConnect: buildConnector.connector = (connectOptions, callback) => {
    const hostname = connectOptions.hostname.startsWith("[")
      ? connectOptions.hostname.slice(1, -1)
      : connectOptions.hostname;
    const addresses = isIP(hostname) ? Promise.resolve([hostname]) : resolve(hostname);
    addresses.then(
      (list) => {
        if (list.length === 0) return callback(new RefusedAddressError(`cannot resolve ${hostname}`, hostname), null);
        for (const address of list) {
          const refused = refuseAddress(address, policy);
          if (refused)
            return callback(new RefusedAddressError(`refused to connect to ${hostname}: ${refused}`, hostname), null);
        }
        const address = list[0]!;
        // TLS still checks the certificate against the name asked for, not the address.
        const servername = connectOptions.servername ?? (isIP(hostname) ? undefined : hostname);
        connect({ ...connectOptions, hostname: address, servername }, callback);
      },
      (error: Error) =>
        callback(
          new RefusedAddressError(`cannot resolve ${hostname}: ${error.message}`, hostname, { cause: error }),
          null,
        ),
    );
  };

  const dispatcher = new Agent({
    connect: guardedConnect,
    connections: 32,
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  });

  function refuseUrl(url: URL): string | null {
    if (url.protocol !== "https:" && url.protocol !== "http:") return `${url.protocol} URLs are not fetched`;
    if (url.username || url.password) return "URLs with credentials are not fetched";
    const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    if (isIP(host)) return refuseAddress(host, policy);
    if (!policy.allowPrivate && (host === "localhost" || host.endsWith(".localhost")))
      return `${host} is a loopback name (use --allow-private-address for tests and demos)`;
    return null;
  }

  async function fetchGuarded(target: URL | string, fetchOptions: OutboundFetchOptions = {}): Promise<OutboundResult> {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return { ok: false, reason: `${String(target)} is not a URL` };
    }
    const maxBytes = fetchOptions.maxBytes ?? 1024 * 1024;
    const maxRedirects = Math.min(fetchOptions.maxRedirects ?? MAX_REDIRECTS, MAX_REDIRECTS);
    const timeout = AbortSignal.timeout(fetchOptions.timeoutMs ?? 10_000);
    const signal = fetchOptions.signal ? AbortSignal.any([timeout, fetchOptions.signal]) : timeout;
    for (let hop = 0; ; hop++) {
      const refused = refuseUrl(url);
      if (refused) return { ok: false, reason: refused };
      let request = new Request(url, {
        method: fetchOptions.method ?? "GET",
        headers: fetchOptions.headers,
        body: fetchOptions.body as BodyInit | undefined,
        redirect: "manual",
        signal,
      });
      if (fetchOptions.prepare) request = await fetchOptions.prepare(request);
      let response: Response;
      try {
        response = await fetch(request, { dispatcher, redirect: "manual" } as RequestInit);
      } catch (error) {
        return { ok: false, reason: `cannot fetch ${url.href}: ${describe(error)}`, cause: error };
      }
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel().catch(() => {});
        if (hop >= maxRedirects) return { ok: false, reason: `${url.href}: more than ${maxRedirects} redirects` };
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          return { ok: false, reason: `${url.href} redirects to an invalid URL` };
        }
        url = next;
        continue;
      }
      const declared = Number(response.headers.get("content-length") ?? NaN);
      if (Number.isFinite(declared) && declared > maxBytes) {
        await response.body?.cancel().catch(() => {});
        return { ok: false, reason: `${url.href} answered more than ${maxBytes} bytes` };
      }
      const body = await readCapped(response, maxBytes);
      if (!body.ok) return { ok: false, reason: `${url.href}: ${body.reason}`, cause: body.cause };
      return { ok: true, url, status: response.status, headers: response.headers, body: body.bytes };
    }
  }

  return {
    policy,
    dispatcher,
    fetch: fetchGuarded,
    refuseUrl,
    close: () => dispatcher.close(),
  };
}

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { message?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return "timed out";
  return e?.cause?.message ?? e?.message ?? String(error);
}

/** Reads a body up to `maxBytes`, cancelling the stream as soon as it grows past it. */
async function readCapped(
  response: Response,
  maxBytes: number,
): Promise<{ ok: true; bytes: Buffer } | { ok: false; reason: string; cause?: unknown }> {
  if (!response.body) return { ok: true, bytes: Buffer.alloc(0) };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        return { ok: false, reason: `answered more than ${maxBytes} bytes` };
      }
      chunks.push(value);
    }
  } catch (error) {
    return { ok: false, reason: `the answer broke off: ${describe(error)}`, cause: error };
  }
  return { ok: true, bytes: Buffer.concat(chunks) };
}

/**
 * Makes the guard's dispatcher the process-wide default, so that requests made by
 * libraries with the global `fetch` (Fedify's deliveries and WebFinger lookups) connect
 * only where the policy allows. One node per process: the last installed policy wins.
 */
export function installGlobalGuard(outbound: Outbound): void {
  setGlobalDispatcher(outbound.dispatcher);
}
