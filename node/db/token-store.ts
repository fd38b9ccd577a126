import { generateToken, hashToken, isRole, isTokenShaped, type Principal, type Role } from "../auth/tokens.ts";
import { Token } from "./entities.ts";
import type { Orm } from "./orm.ts";

/** Makes a new bearer token; only its hash is stored, the secret is returned once. */
export async function createToken(orm: Orm, role: Role, name: string): Promise<string> {
  if (!isRole(role)) throw new TypeError(`unknown role ${String(role)}`);
  const secret = generateToken();
  await orm.em.fork().insert(Token, { hash: hashToken(secret), role, name, createdAt: new Date().toISOString() });
  return secret;
}

/** Revokes every token with this name; returns how many were revoked. */
export async function revokeTokens(orm: Orm, name: string): Promise<number> {
  return orm.em.fork().nativeUpdate(Token, { name, revokedAt: null }, { revokedAt: new Date().toISOString() });
}

/** The principal a bearer secret belongs to, or null for an unknown or revoked one. */
export async function authenticateToken(orm: Orm, secret: string): Promise<Principal | null> {
  if (!isTokenShaped(secret)) return null;
  const em = orm.em.fork();
  const row = await em.findOne(Token, { hash: hashToken(secret), revokedAt: null });
  if (!row || !isRole(row.role)) return null;
  return { role: row.role, name: row.name, tokenId: row.id };
}
