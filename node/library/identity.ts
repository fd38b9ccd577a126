import type { Config } from "../config.ts";

/** Who this node is: the city whose library it publishes. */
export interface NodeIdentity {
  /** Scheme, host and port the node is reached at, e.g. `https://exchange.seoul.go.kr`. */
  readonly origin: string;
  /** The city's short handle, e.g. `seoul`. */
  readonly city: string;
  /** The city's display name, e.g. `Seoul Metropolitan Government`. */
  readonly name: string;
  /** ISO 3166-1 alpha-2 country code of the city. */
  readonly country: string;
  /** The city actor's URL, which every local document is `attributedTo`. */
  readonly actorId: string;
}

/** The identity of the node's city, derived from its configuration. */
export function identityOf(config: Pick<Config, "origin" | "city" | "name" | "country">): NodeIdentity {
  return {
    origin: config.origin,
    city: config.city,
    name: config.name,
    country: config.country,
    actorId: `${config.origin}/cities/${config.city}`,
  };
}
