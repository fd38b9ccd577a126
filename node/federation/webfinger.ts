import type { Outbound } from "../net/outbound.ts";
import { parseBoundedJson } from "../net/json-bounds.ts";
import { classifyContactError, contactFailureText } from "./contact-errors.ts";

/** Outcome of {@link resolveHandle}: the actor's URL, or why there is none, in words an admin reads. */
export type HandleResolution =
  | { readonly ok: true; readonly actor: string }
  | { readonly ok: false; readonly reason: string };

/** The ActivityPub actor a WebFinger answer links to (`rel: self`), or null. */
function selfLink(body: Buffer): string | null {
  const parsed = parseBoundedJson(body.toString("utf8"), { maxDepth: 6, maxNodes: 2_000 });
  if (!parsed.ok) return null;
  const links = (parsed.value as { links?: unknown })?.links;
  if (!Array.isArray(links)) return null;
  for (const link of links as { rel?: unknown; type?: unknown; href?: unknown }[]) {
    const type = typeof link?.type === "string" ? link.type : "";
    if (
      link?.rel === "self" &&
      typeof link.href === "string" &&
      (type.startsWith("application/activity+json") || type.startsWith("application/ld+json")) &&
      /^https?:\/\//.test(link.href)
    )
      return link.href;
  }
  return null;
}

/**
 * Resolves a fediverse handle (`@city@host` or `city@host`) to its actor URL with a
 * WebFinger query made through the outbound guard (Fedify's own client reads answers of
 * any size). Over HTTPS; where the guard lets the node reach private addresses (tests and
 * demos on loopback), over this node's own scheme first (`ownScheme`, from its origin) and
 * then the other. A failure says why for each scheme tried.
 */
export async function resolveHandle(
  outbound: Outbound,
  handle: string,
  ownScheme: "http" | "https" = "https",
): Promise<HandleResolution> {
  const match = /^@?([^@\s/]+)@([^@\s/]+)$/.exec(handle.trim());
  if (!match) return { ok: false, reason: `${handle} is neither a handle (@name@host) nor an http(s) URL` };
  const [, user, host] = match as unknown as [string, string, string];
  const schemes = outbound.policy.allowPrivate
    ? ownScheme === "http"
      ? ["http", "https"]
      : ["https", "http"]
    : ["https"];
  const failures: string[] = [];
  for (const scheme of schemes) {
    if (!URL.canParse(`${scheme}://${host}/.well-known/webfinger`))
      return { ok: false, reason: `${host} is not a host name` };
    const url = new URL(`${scheme}://${host}/.well-known/webfinger`);
    url.searchParams.set("resource", `acct:${user}@${host}`);
    const answer = await outbound.fetch(url, {
      headers: { accept: "application/jrd+json, application/json" },
      maxBytes: 64 * 1024,
      timeoutMs: 5_000,
    });
    if (!answer.ok) {
      const failure = answer.cause ? contactFailureText(classifyContactError(answer.cause)) : answer.reason;
      failures.push(`${url.origin}: ${failure}`);
      continue;
    }
    if (answer.status !== 200) {
      failures.push(`${url.origin}: WebFinger answered HTTP ${answer.status} for acct:${user}@${host}`);
      continue;
    }
    const actor = selfLink(answer.body);
    if (actor) return { ok: true, actor };
    failures.push(`${url.origin}: the WebFinger answer links to no ActivityPub actor`);
  }
  return { ok: false, reason: `could not resolve ${handle} (${failures.join("; ")})` };
}
