import type { Library, ListedItem, StoredItem } from "../library/library.ts";
import type { NodeIdentity } from "../library/identity.ts";
import type { Adoption } from "../library/documents.generated.ts";
import type { AdoptionEntry } from "../../web/templates/adoptions.ts";
import { cityHref, itemHref } from "../../web/templates/parts.ts";
import { cityOf } from "../search/documents.ts";
import type { OriginNames } from "./origin-names.ts";

/** What the adoption listings read. */
export interface AdoptionListDeps {
  readonly library: Pick<Library, "list" | "getMany">;
  readonly identity: NodeIdentity;
  readonly names: OriginNames;
}

/** How many adoptions one listing reads at most. */
export const MAX_ADOPTIONS_LISTED = 100;

/**
 * The listed adoptions as pages show them: the adopting city named by its verified origin
 * (never the document's `city`), status and date from the signed document, the adopted case's title where held.
 */
export async function adoptionEntries(
  deps: AdoptionListDeps,
  listed: readonly ListedItem[],
  locale: string,
): Promise<AdoptionEntry[]> {
  if (listed.length === 0) return [];
  const documents = await deps.library.getMany(listed.map((i) => i.id)).catch(() => new Map<string, StoredItem>());
  const cases = new Set<string>();
  for (const item of documents.values()) {
    const c = (item.document as Partial<Adoption>).case;
    if (typeof c === "string") cases.add(c);
  }
  const [origins, caseItems] = await Promise.all([
    deps.names.of(listed.map((i) => i.origin)),
    deps.library.getMany([...cases]).catch(() => new Map<string, StoredItem>()),
  ]);
  const caseOrigins = await deps.names.of([...caseItems.values()].map((c) => c.origin));
  return listed.flatMap((i): AdoptionEntry[] => {
    const stored = documents.get(i.id);
    if (!stored || stored.deleted) return [];
    const d = stored.document as Partial<Adoption>;
    const held = typeof d.case === "string" ? caseItems.get(d.case) : undefined;
    const ownTitle = (stored.document.translations as Record<string, { title?: unknown }> | undefined)?.[locale]?.title;
    const translatedTitle = stored.language !== locale && typeof ownTitle === "string" ? ownTitle : undefined;
    const translated = (held?.document.translations as Record<string, { title?: unknown }> | undefined)?.[locale]
      ?.title;
    return [
      {
        id: i.id,
        href: itemHref(i.id, deps.identity.origin),
        title: translatedTitle ?? stored.title,
        lang: translatedTitle ? locale : stored.language,
        city: i.local ? deps.identity.name : (origins.get(i.origin)?.label ?? i.origin),
        cityHref: cityHref(cityOf(i)),
        status: typeof d.status === "string" ? d.status : "",
        date: typeof d.statusDate === "string" ? d.statusDate : i.updated.slice(0, 10),
        verified: i.verified || i.local,
        profile: d.profile,
        caseId: typeof d.case === "string" ? d.case : "",
        caseTitle: held && !held.deleted ? (typeof translated === "string" ? translated : held.title) : undefined,
        caseHref: held && !held.deleted ? itemHref(held.id, deps.identity.origin) : undefined,
        caseCity: held
          ? held.local
            ? deps.identity.name
            : (caseOrigins.get(held.origin)?.label ?? held.origin)
          : undefined,
      },
    ];
  });
}

/** The verified adoptions of one case, newest first, as pages show them. */
export async function adoptionsOfCase(
  deps: AdoptionListDeps,
  caseId: string,
  locale: string,
  limit = MAX_ADOPTIONS_LISTED,
): Promise<AdoptionEntry[]> {
  const { items } = await deps.library.list({ type: "Adoption", case: caseId, limit });
  return adoptionEntries(deps, items, locale);
}

/** Population bands a city is compared in: under 100k, 100k–500k, 500k–1M, 1M–5M, 5M and over. */
const POPULATION_BANDS = [100_000, 500_000, 1_000_000, 5_000_000];

function band(population: number): number {
  const i = POPULATION_BANDS.findIndex((limit) => population < limit);
  return i === -1 ? POPULATION_BANDS.length : i;
}

/**
 * Whether an adopter is like the assessing city: the same income level and population band,
 * for each of the two the assessing city gave (an adopter that does not say is not counted alike).
 */
export function isSimilar(
  city: { readonly population?: number; readonly incomeLevel?: string },
  adopter: AdoptionEntry["profile"],
): boolean {
  if (city.incomeLevel !== undefined && adopter?.incomeLevel !== city.incomeLevel) return false;
  if (city.population !== undefined)
    return adopter?.population !== undefined && band(adopter.population) === band(city.population);
  return true;
}
