import { checkCredentials, hashPassword, UNKNOWN_USER_HASH, verifyPassword } from "../auth/passwords.ts";
import type { Principal, Role } from "../auth/tokens.ts";
import { User } from "./entities.ts";
import type { Orm } from "./orm.ts";
import { endSessionsOf } from "./web-sessions.ts";

// The `users` table: web logins, each with a scrypt hash of its password (never the password).

/** Adds a web login, or replaces the password and role of an existing one (and enables it). */
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
    // The command line is how an account is recovered: it also enables it, and logs it out.
    await em.nativeUpdate(User, { username }, { passwordHash, role, disabledAt: null });
    await endSessionsOf(orm, username);
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
  if (!user || !ok || user.disabledAt || (user.role !== "admin" && user.role !== "editor")) return null;
  return { role: user.role, name: `user:${user.username}`, username: user.username };
}

/** A web login as the admins' accounts page lists it (never its password hash). */
export interface Account {
  readonly username: string;
  readonly role: Role;
  readonly createdAt: string;
  /** When it was disabled, or null while it may log in. */
  readonly disabledAt: string | null;
}

/** Why an admin's change to an account was refused. */
export type AccountRefusal = "unknown-account" | "last-admin" | "invalid" | "exists";

/** The outcome of an admin's change to an account. */
export type AccountResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: AccountRefusal; readonly problems?: readonly string[] };

/** The most accounts the accounts page lists: a city's officials, not a user base. */
export const MAX_LISTED_ACCOUNTS = 500;

/** Web logins by username: the first {@link MAX_LISTED_ACCOUNTS}, and how many there are in all. */
export async function listAccounts(orm: Orm): Promise<{ readonly accounts: Account[]; readonly total: number }> {
  const [rows, total] = await orm.em
    .fork()
    .findAndCount(User, {}, { orderBy: { username: "asc" }, limit: MAX_LISTED_ACCOUNTS });
  return {
    accounts: rows.map((r) => ({
      username: r.username,
      role: r.role === "admin" ? "admin" : "editor",
      createdAt: r.createdAt,
      disabledAt: r.disabledAt ?? null,
    })),
    total,
  };
}

/** Adds a web login; refused when the username is taken or the credentials are too weak. */
export async function addAccount(orm: Orm, username: string, password: string, role: Role): Promise<AccountResult> {
  const problems = checkCredentials(username, password);
  if (problems.length > 0) return { ok: false, reason: "invalid", problems };
  const em = orm.em.fork();
  if (await em.findOne(User, { username })) return { ok: false, reason: "exists" };
  const passwordHash = await hashPassword(password);
  await em.insert(User, { username, passwordHash, role, createdAt: new Date().toISOString() });
  return { ok: true };
}

/**
 * Changes an account's role, password or state, and ends its web sessions so the change
 * holds at once (a demoted or disabled official is logged out everywhere). The last admin
 * who may log in cannot be demoted or disabled: someone must be able to manage the node.
 */
export async function changeAccount(
  orm: Orm,
  username: string,
  change: { readonly role?: Role; readonly password?: string; readonly disabled?: boolean },
): Promise<AccountResult> {
  if (change.password !== undefined) {
    const problems = checkCredentials(username, change.password);
    if (problems.length > 0) return { ok: false, reason: "invalid", problems };
  }
  const passwordHash = change.password === undefined ? undefined : await hashPassword(change.password);
  const result = await orm.em.fork().transactional(async (em): Promise<AccountResult> => {
    const user = await em.findOne(User, { username });
    if (!user) return { ok: false, reason: "unknown-account" };
    const losesAdmin =
      user.role === "admin" && !user.disabledAt && (change.role === "editor" || change.disabled === true);
    if (losesAdmin && (await em.count(User, { role: "admin", disabledAt: null })) <= 1) {
      return { ok: false, reason: "last-admin" };
    }
    await em.nativeUpdate(
      User,
      { username },
      {
        ...(change.role ? { role: change.role } : {}),
        ...(passwordHash ? { passwordHash } : {}),
        ...(change.disabled === undefined ? {} : { disabledAt: change.disabled ? new Date().toISOString() : null }),
      },
    );
    return { ok: true };
  });
  if (result.ok) await endSessionsOf(orm, username);
  return result;
}
