import type { Outbound } from "../net/outbound.ts";
import { parseBoundedJson } from "../net/json-bounds.ts";

/**
 * Resolves a fediverse handle (`@city@host` or `city@host`) to its actor URL with a
 * WebFinger query made through the outbound guard (Fedify's own client reads answers of
 * any size). HTTPS first; plain HTTP only where the guard lets the node reach private
 * addresses (tests and demos on loopback). Null when the handle does not resolve.
 */
export async function resolveHandle(outbound: Outbound, handle: string): Promise<string | null> {
  const match = /^@?([^@\s/]+)@([^@\s/]+)$/.exec(handle.trim());
  if (!match) return null;
  const [, user, host] = match as unknown as [string, string, string];
  const schemes = outbound.policy.allowPrivate ? ["https", "http"] : ["https"];
  for (const scheme of schemes) {
    let url: URL;
    try {
      url = new URL(`${scheme}://${host}/.well-known/webfinger`);
    } catch {
      return null;
    }
    url.searchParams.set("resource", `acct:${user}@${host}`);
    const answer = await outbound.fetch(url, {
      headers: { accept: "application/jrd+json, application/json" },
      maxBytes: 64 * 1024,
      timeoutMs: 5_000,
    });
    if (!answer.ok || answer.status !== 200) continue;
    const parsed = parseBoundedJson(answer.body.toString("utf8"), { maxDepth: 6, maxNodes: 2_000 });
    if (!parsed.ok) continue;
    const links = (parsed.value as { links?: unknown })?.links;
    if (!Array.isArray(links)) continue;
    for (const link of links as { rel?: unknown; type?: unknown; href?: unknown }[]) {
      const type = typeof link?.type === "string" ? link.type : "";
      if (
        link?.rel === "self" &&
        typeof link.href === "string" &&
        (type.startsWith("application/activity+json") || type.startsWith("application/ld+json")) &&
        /^https?:\/\//.test(link.href)
      ) {
        return link.href;
      }
    }
  }
  return null;
}
