import type { PeerStore } from "../db/peer-store.ts";
import type { Library, ListOptions } from "../library/library.ts";
import type { NodeIdentity } from "../library/identity.ts";

/** Who signed an item, as pages name it: always its verified origin, never a document field. */
export interface OriginName {
  readonly origin: string;
  readonly host: string;
  /** The peer actor's own name (from its actor document), when known and not confusable. */
  readonly name: string | null;
  /** For people: `Rogue City (rogue.example)`, the host alone, or this node's name. */
  readonly label: string;
}

/** Options of {@link createOriginNames}. */
export interface OriginNamesOptions {
  readonly identity: NodeIdentity;
  /** Where peers' actor names are read; without it peers are named by host. */
  readonly peers?: Pick<PeerStore, "actorNames">;
}

/** Names of item origins and labels of city keys, for badges, provenance and city pages. */
export interface OriginNames {
  /** The names of the given origins (this node's included). */
  of(origins: Iterable<string>): Promise<Map<string, OriginName>>;
  /**
   * Labels of city keys as `cityOf()` (search/documents.ts) makes them (a peer's host, or a local city name):
   * a peer's host becomes its name and host, a local city name stays itself.
   */
  labels(keys: Iterable<string>): Promise<Map<string, string>>;
}

function hostOf(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return origin;
  }
}

/** A peer's self-chosen name, made safe to show: one line, bounded, never this node's own. */
function displayName(raw: string | null | undefined, identity: NodeIdentity): string | null {
  if (typeof raw !== "string") return null;
  // eslint-disable-next-line no-control-regex
  const name = raw
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 80);
  if (!name) return null;
  // A peer may call itself anything, including this city's name: then only its host is
  // shown, so nothing on this node reads as if this city had signed it.
  const fold = (s: string) => s.normalize("NFKC").toLowerCase();
  if (fold(name) === fold(identity.name) || fold(name) === fold(identity.city)) return null;
  return name;
}

/** Creates the namer over the peer store. */
export function createOriginNames(options: OriginNamesOptions): OriginNames {
  const { identity, peers } = options;

  async function peerNames(hosts: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (!peers || hosts.length === 0) return out;
    // The actor we follow on a host names it first (the store's order); then any named actor there.
    for (const r of await peers.actorNames(hosts)) {
      const name = displayName(r.name, identity);
      if (name && !out.has(r.host)) out.set(r.host, name);
    }
    return out;
  }

  return {
    async of(origins) {
      const list = [...new Set(origins)];
      const names = await peerNames(list.filter((o) => o !== identity.origin).map(hostOf));
      const out = new Map<string, OriginName>();
      for (const origin of list) {
        const host = hostOf(origin);
        if (origin === identity.origin) {
          out.set(origin, { origin, host, name: identity.name, label: identity.name });
          continue;
        }
        const name = names.get(host) ?? null;
        out.set(origin, { origin, host, name, label: name ? `${name} (${host})` : host });
      }
      return out;
    },

    async labels(keys) {
      const list = [...new Set(keys)];
      const names = await peerNames(list);
      return new Map(list.map((k) => [k, names.has(k) ? `${names.get(k)} (${k})` : k]));
    },
  };
}

/**
 * The listing filter of a city key (see `cityOf()` in search/documents.ts): a peer's host
 * lists that origin's items, anything else this node's own items of that city name. A
 * peer's item is never found under a city name, whatever its `city` field says.
 */
export async function cityFilter(
  library: Library,
  key: string,
): Promise<Pick<ListOptions, "city" | "origin" | "local">> {
  const origin = Object.keys(await library.countByOrigin()).find((o) => hostOf(o) === key);
  return origin ? { origin, local: false } : { city: key, local: true };
}
