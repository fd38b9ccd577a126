import { createHash, randomBytes } from "node:crypto";
import type { Orm } from "../db/orm.ts";
import { Token } from "../db/entities.ts";

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

// Tokens are 256 random bits, so a fast hash suffices: there is nothing to brute-force.
function hashToken(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** Makes a new bearer token; only its hash is stored, the secret is returned once. */
export async function createToken(orm: Orm, role: Role, name: string): Promise<string> {
  if (!isRole(role)) throw new TypeError(`unknown role ${String(role)}`);
  const secret = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  await orm.em.fork().insert(Token, { hash: hashToken(secret), role, name, createdAt: new Date().toISOString() });
  return secret;
}

/** Revokes every token with this name; returns how many were revoked. */
export async function revokeTokens(orm: Orm, name: string): Promise<number> {
  return orm.em.fork().nativeUpdate(Token, { name, revokedAt: null }, { revokedAt: new Date().toISOString() });
}

/** The principal a bearer secret belongs to, or null for an unknown or revoked one. */
export async function authenticateToken(orm: Orm, secret: string): Promise<Principal | null> {
  if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 200) return null;
  const em = orm.em.fork();
  const row = await em.findOne(Token, { hash: hashToken(secret), revokedAt: null });
  if (!row || !isRole(row.role)) return null;
  return { role: row.role, name: row.name, tokenId: row.id };
}
