// What went wrong when the node contacted a peer, in the words an admin reads. A failed
// contact reaches us wrapped: Fedify's delivery rethrows fetch's `TypeError("fetch
// failed")` whose `cause` is undici's or Node's error with a `code`; the document loader
// throws a FetchError around the outbound guard's reason; the guard's connector wraps a
// DNS failure in a RefusedAddressError. The code that says what happened is somewhere in
// that `cause` chain (or, failing that, in one of its messages).

/** The kinds of failed contact, each with a plain sentence (see {@link contactFailureText}). */
export type ContactFailureKind =
  | "refused"
  | "timeout"
  | "dns"
  | "tls"
  | "reset"
  | "unreachable"
  | "policy"
  | "http"
  | "not-collection"
  | "not-json"
  | "limit"
  | "other";

/** What a failed contact was doing. */
export type ContactActivity = "delivery" | "outbox" | "actor" | "keys";

/** A failed contact, classified. */
export interface ContactFailure {
  readonly kind: ContactFailureKind;
  /** The HTTP status a peer answered (kind `http`). */
  readonly status?: number;
  /** The time budget that ran out, in seconds (kind `timeout`), when known. */
  readonly seconds?: number;
  /** The original message, for kinds that have no sentence of their own (`limit`, `other`). */
  readonly detail?: string;
}

/** Kinds that mean the peer could not be reached at all (as opposed to answering wrongly). */
export const UNREACHABLE_KINDS: ReadonlySet<ContactFailureKind> = new Set([
  "refused",
  "timeout",
  "dns",
  "tls",
  "reset",
  "unreachable",
  "policy",
]);

const ACTIVITY_WORDS: Readonly<Record<ContactActivity, string>> = {
  delivery: "delivering an activity",
  outbox: "reading their outbox",
  actor: "reading their actor",
  keys: "reading their keys",
};

const CODE_KINDS: Readonly<Record<string, ContactFailureKind>> = {
  ECONNREFUSED: "refused",
  ETIMEDOUT: "timeout",
  UND_ERR_CONNECT_TIMEOUT: "timeout",
  UND_ERR_HEADERS_TIMEOUT: "timeout",
  UND_ERR_BODY_TIMEOUT: "timeout",
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
  EAI_NONAME: "dns",
  ECONNRESET: "reset",
  EPIPE: "reset",
  UND_ERR_SOCKET: "reset",
  UND_ERR_CLOSED: "reset",
  EHOSTUNREACH: "unreachable",
  ENETUNREACH: "unreachable",
  EHOSTDOWN: "unreachable",
  ENETDOWN: "unreachable",
};

// OpenSSL's verification codes as Node reports them, and Node's own host-name mismatch.
const TLS_CODE =
  /^(?:ERR_TLS_CERT_ALTNAME_INVALID|CERT_\w+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_\w+|ERR_SSL_\w+|HOSTNAME_MISMATCH)$/;

/** The errors of a `cause` chain, outermost first (at most 8: a chain can loop). */
function chainOf(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e != null && chain.length < 8 && !chain.includes(e); e = (e as { cause?: unknown }).cause)
    chain.push(e);
  return chain;
}

function kindOfCode(code: string): ContactFailureKind | null {
  if (CODE_KINDS[code]) return CODE_KINDS[code];
  if (TLS_CODE.test(code)) return "tls";
  return null;
}

/** Seconds from a time budget in ms, as a person reads them (1 decimal under 10 s). */
function secondsOf(ms: number): number {
  return ms < 10_000 ? Math.round(ms / 100) / 10 : Math.round(ms / 1000);
}

/**
 * Classifies an error from contacting a peer. `timeoutMs` is the budget of the contact,
 * for a timeout that does not say its own (an error carrying `timeoutMs` says it).
 */
export function classifyContactError(error: unknown, options: { readonly timeoutMs?: number } = {}): ContactFailure {
  const chain = chainOf(error);
  let timeoutMs = options.timeoutMs;
  for (const e of chain) {
    const own = (e as { timeoutMs?: unknown })?.timeoutMs;
    if (typeof own === "number") timeoutMs = own;
  }
  const timeout = (): ContactFailure => {
    const text = chain.map((e) => String((e as Error)?.message ?? "")).join(" ");
    // undici names its connect budget: "Connect Timeout Error (attempted address: …, timeout: 10000ms)".
    const named = /timeout: (\d+)ms/.exec(text);
    const ms = named ? Number(named[1]) : timeoutMs;
    return ms ? { kind: "timeout", seconds: secondsOf(ms) } : { kind: "timeout" };
  };
  for (const e of chain) {
    const fields = e as { name?: unknown; code?: unknown; status?: unknown };
    if (typeof fields?.code === "string") {
      const kind = kindOfCode(fields.code);
      if (kind === "timeout") return timeout();
      if (kind) return { kind };
    }
    if (fields?.name === "TimeoutError") return timeout();
  }
  for (const e of chain) {
    const fields = e as { status?: unknown; name?: unknown };
    if (typeof fields?.status === "number" && fields.status >= 300) return { kind: "http", status: fields.status };
    if (fields?.name === "RefusedAddressError" && !String((e as Error).message).startsWith("cannot resolve"))
      return { kind: "policy", detail: String((e as Error).message) };
  }
  // Messages are the last resort: some layers keep only the text of what they caught.
  const messages = chain.map((e) => String((e as Error)?.message ?? e));
  for (const message of messages) {
    // Fedify: "Failed to send activity … to … (502 Bad Gateway)"; our loaders: "…: HTTP 502".
    const status = /\((\d{3})\b[^)]*\):?/.exec(message) ?? /\bHTTP (\d{3})\b/.exec(message);
    if (status && Number(status[1]) >= 300) return { kind: "http", status: Number(status[1]) };
    for (const code of message.match(/\b[A-Z][A-Z0-9_]{3,}\b/g) ?? []) {
      const kind = kindOfCode(code);
      if (kind === "timeout") return timeout();
      if (kind) return { kind };
    }
    if (/\btimed out\b/.test(message)) return timeout();
    if (/\bcannot resolve\b/.test(message)) return { kind: "dns" };
    if (/\bnot JSON\b|\bis not a JSON object\b|Unexpected token|JSON at position/.test(message))
      return { kind: "not-json" };
  }
  return { kind: "other", detail: messages[0]?.slice(0, 300) ?? "unknown error" };
}

/** The plain sentence for a failure: "connection refused", "answered HTTP 502"… */
export function contactFailureText(failure: ContactFailure): string {
  switch (failure.kind) {
    case "refused":
      return "connection refused";
    case "timeout":
      return failure.seconds ? `timed out after ${failure.seconds} s` : "timed out";
    case "dns":
      return "DNS name not found";
    case "tls":
      return "TLS certificate not valid";
    case "reset":
      return "connection reset";
    case "unreachable":
      return "host unreachable";
    case "policy":
      return "address not allowed by this node's outbound policy";
    case "http":
      return `answered HTTP ${failure.status}`;
    case "not-collection":
      return "their outbox is not an ActivityPub collection";
    case "not-json":
      return "answered something that is not ActivityPub JSON";
    default:
      return failure.detail ?? "unknown error";
  }
}

/** The message stored as a peer's `lastError`: what happened, then what the node was doing. */
export function contactErrorMessage(failure: ContactFailure, activity: ContactActivity): string {
  return `${contactFailureText(failure)} (${ACTIVITY_WORDS[activity]})`;
}

/**
 * Reads back a message written by {@link contactErrorMessage}: the kind and the activity,
 * so a page can say it in the reader's language. Null for any other text (older rows).
 */
export function parseContactErrorMessage(
  message: string,
): (ContactFailure & { readonly activity: ContactActivity }) | null {
  const match = /^(.*) \((delivering an activity|reading their outbox|reading their actor|reading their keys)\)$/s.exec(
    message,
  );
  if (!match) return null;
  const [, text, words] = match as unknown as [string, string, string];
  const activity = (Object.keys(ACTIVITY_WORDS) as ContactActivity[]).find((a) => ACTIVITY_WORDS[a] === words)!;
  const fixed: readonly ContactFailureKind[] = [
    "refused",
    "dns",
    "tls",
    "reset",
    "unreachable",
    "policy",
    "not-collection",
    "not-json",
  ];
  for (const kind of fixed) if (contactFailureText({ kind }) === text) return { kind, activity };
  const http = /^answered HTTP (\d{3})$/.exec(text);
  if (http) return { kind: "http", status: Number(http[1]), activity };
  const timeout = /^timed out(?: after ([\d.]+) s)?$/.exec(text);
  if (timeout)
    return timeout[1] ? { kind: "timeout", seconds: Number(timeout[1]), activity } : { kind: "timeout", activity };
  return { kind: text.startsWith("backfill limit: ") ? "limit" : "other", detail: text, activity };
}

/** A backfill that stopped on one of its bounds: the message names the bound. */
export function limitFailure(message: string): ContactFailure {
  return { kind: "limit", detail: `backfill limit: ${message}` };
}
