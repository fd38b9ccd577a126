import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { DemoNode } from "./demo-network.ts";

// The demo's adoption loop: each illustrative city publishes its adoptions of Seoul's cases
// (seeds/<city>/adoptions/*.json) through its own API, as an official would, so the node
// delivers each one to Seoul, the case's origin. They are not first-start seeds because
// they name another node's items: `https://<city>.seed.invalid/` stands for that city's
// node and becomes its origin here, where the demo knows every node's address.

/** The placeholder origin of a demo city's node in an adoption seed. */
export function cityPlaceholder(slug: string): string {
  return `https://${slug}.seed.invalid`;
}

/** Replaces each demo city's placeholder origin, in strings that start with it, by its node's origin. */
export function resolveCityLinks(value: unknown, origins: ReadonlyMap<string, string>): unknown {
  if (typeof value === "string") {
    for (const [slug, origin] of origins) {
      const placeholder = `${cityPlaceholder(slug)}/`;
      if (value.startsWith(placeholder)) return `${origin}/${value.slice(placeholder.length)}`;
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => resolveCityLinks(v, origins));
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveCityLinks(v, origins)]));
  return value;
}

/** The adoption seeds of a city, by file name order. */
export function readAdoptionSeeds(seedsDir: string, city: string): Record<string, unknown>[] {
  const dir = join(seedsDir, city, "adoptions");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Record<string, unknown>);
}

/**
 * Publishes every demo city's adoption seeds on its node, skipping one whose title the node
 * already published (a kept data folder); resolves to how many it published.
 */
export async function publishDemoAdoptions(nodes: readonly DemoNode[], seedsDir: string): Promise<number> {
  const origins = new Map(nodes.map((n) => [n.city.slug, new URL(n.process.url).origin]));
  let published = 0;
  for (const node of nodes) {
    const seeds = readAdoptionSeeds(seedsDir, node.city.slug);
    if (seeds.length === 0) continue;
    const held = await node.api.get<{ items: { title: string; local: boolean }[] }>("/api/items", {
      type: "Adoption",
      limit: "500",
    });
    const titles = new Set(held.items.filter((i) => i.local).map((i) => i.title));
    for (const seed of seeds) {
      if (titles.has(String(seed.title))) continue;
      await node.api.post("/api/items", resolveCityLinks(seed, origins) as Record<string, unknown>);
      published++;
    }
  }
  return published;
}
