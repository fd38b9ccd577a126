import { checkCredentials, hashPassword, UNKNOWN_USER_HASH, verifyPassword } from "../auth/passwords.ts";
import type { Principal, Role } from "../auth/tokens.ts";
import { User } from "./entities.ts";
import type { Orm } from "./orm.ts";

// The `users` table: web logins, each with a scrypt hash of its password (never the password).

/** Adds a web login, or replaces the password and role of an existing one. */
export async function upsertUser(
  orm: Orm,
  username: string,
  password: string,
  role: Role,
): Promise<"created" | "updated"> {
  const problems = checkCredentials(username, password);
  if (problems.length > 0) throw new TypeError(problems.join("; "));
  const passwordHash = await hashPassword(password);
  const em = orm.em.fork();
  const existing = await em.findOne(User, { username });
  if (existing) {
    await em.nativeUpdate(User, { username }, { passwordHash, role });
    return "updated";
  }
  await em.insert(User, { username, passwordHash, role, createdAt: new Date().toISOString() });
  return "created";
}

/** The principal for a username and password, or null when they do not match. */
export async function authenticatePassword(orm: Orm, username: string, password: string): Promise<Principal | null> {
  const user = await orm.em.fork().findOne(User, { username });
  // Hash anyway when the user is unknown, so timing does not reveal which usernames exist.
  const ok = await verifyPassword(password, user?.passwordHash ?? UNKNOWN_USER_HASH);
  if (!user || !ok || (user.role !== "admin" && user.role !== "editor")) return null;
  return { role: user.role, name: `user:${user.username}`, username: user.username };
}
