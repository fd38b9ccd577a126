import { createHash, randomBytes } from "node:crypto";

/** What a credential may do: admins peer and manage; editors publish. */
export type Role = "admin" | "editor";

/** The roles, in the order of their power. */
export const ROLES: readonly Role[] = ["editor", "admin"];

/** A caller proven by a bearer token. */
export interface Principal {
  readonly role: Role;
  readonly name: string;
  readonly tokenId?: number;
  readonly username?: string;
}

const TOKEN_PREFIX = "wego_";

/** Whether a string is a known role. */
export function isRole(value: unknown): value is Role {
  return value === "admin" || value === "editor";
}

/** Makes a new bearer token secret: a recognisable prefix and 256 random bits. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

/** Whether a string can be a secret made by {@link generateToken}; anything else is refused unhashed. */
export function isTokenShaped(secret: string): boolean {
  return secret.startsWith(TOKEN_PREFIX) && secret.length <= 200;
}

// Tokens are 256 random bits, so a fast hash suffices: there is nothing to brute-force.
/** What is stored of a bearer token: its SHA-256, hex. */
export function hashToken(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}
