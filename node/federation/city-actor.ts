import type { Federation, RequestContext } from "@fedify/fedify";
import { Endpoints, Image, Organization, PropertyValue } from "@fedify/fedify/vocab";
import type { NodeIdentity } from "../library/identity.ts";
import type { Library } from "../library/library.ts";
import { renderCityProfile } from "../../web/templates/activity-content.ts";
import { cityHref } from "../../web/templates/parts.ts";
import { toArticle, type ActorAddresses } from "./vocab.ts";

// The city as people on Mastodon, Misskey or snac see it: a profile with an avatar, a
// header image, a summary, a link to its library, profile fields, and pinned items.

/** What a city's profile shows besides its name (from the node's configuration). */
export interface CityProfile {
  /** The city's own website (default: this node's home page). */
  readonly website?: string;
  /** The year the city joined WeGO. */
  readonly memberSince?: string;
}

/** How many items the city pins to its profile: its newest case studies. */
export const FEATURED_ITEMS = 5;

/** The city's Organization actor. */
export async function cityActor(
  ctx: RequestContext<void>,
  identity: NodeIdentity,
  options: { readonly manuallyApprovesFollowers: boolean; readonly profile?: CityProfile },
): Promise<Organization> {
  const identifier = identity.city;
  const keys = await ctx.getActorKeyPairs(identifier);
  const libraryUrl = new URL(cityHref(identity.name), identity.origin);
  const profile = renderCityProfile({
    name: identity.name,
    libraryUrl: libraryUrl.href,
    website: options.profile?.website,
    memberSince: options.profile?.memberSince,
  });
  return new Organization({
    id: ctx.getActorUri(identifier),
    preferredUsername: identifier,
    name: identity.name,
    summary: profile.summary,
    url: libraryUrl,
    icon: new Image({ url: new URL("/static/city-icon.png", identity.origin), mediaType: "image/png" }),
    image: new Image({ url: new URL("/static/city-header.png", identity.origin), mediaType: "image/png" }),
    attachments: profile.fields.map((f) => new PropertyValue({ name: f.name, value: f.value })),
    inbox: ctx.getInboxUri(identifier),
    outbox: ctx.getOutboxUri(identifier),
    followers: ctx.getFollowersUri(identifier),
    following: ctx.getFollowingUri(identifier),
    featured: ctx.getFeaturedUri(identifier),
    endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
    publicKey: keys[0]?.cryptographicKey,
    assertionMethods: keys.map((k) => k.multikey),
    manuallyApprovesFollowers: options.manuallyApprovesFollowers,
    discoverable: true,
  });
}

/**
 * The city's `featured` collection (what Mastodon shows as pinned posts): its
 * {@link FEATURED_ITEMS} newest case studies, as the same Articles its followers received.
 */
export function setFeaturedItems(
  federation: Federation<void>,
  identity: NodeIdentity,
  library: Pick<Library, "list" | "get">,
  addresses: (ctx: RequestContext<void>) => ActorAddresses,
): void {
  federation
    .setFeaturedDispatcher("/cities/{identifier}/featured", async (ctx, identifier) => {
      if (identifier !== identity.city) return null;
      const { items } = await library.list({ local: true, type: "CaseStudy", limit: FEATURED_ITEMS });
      const stored = await Promise.all(items.map((i) => library.get(i.id)));
      return {
        items: stored.filter((s) => s && !s.deleted).map((s) => toArticle(s!, addresses(ctx))),
      };
    })
    .setCounter(async (_ctx, identifier) =>
      identifier === identity.city
        ? Math.min(FEATURED_ITEMS, (await library.list({ local: true, type: "CaseStudy", limit: 0 })).total)
        : null,
    );
}
