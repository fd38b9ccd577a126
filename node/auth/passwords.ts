import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from "node:crypto";
import type { Orm } from "../db/orm.ts";
import { User } from "../db/entities.ts";
import type { Principal, Role } from "./tokens.ts";

const PARAMS = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes a password with scrypt: `scrypt$N$r$p$salt$hash` (base64url parts). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize("NFC"), salt, KEY_LENGTH, PARAMS);
  return ["scrypt", PARAMS.N, PARAMS.r, PARAMS.p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

/** Whether a password matches a hash made by {@link hashPassword}; constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const key = await scrypt(password.normalize("NFC"), Buffer.from(salt, "base64url"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: PARAMS.maxmem,
  });
  return timingSafeEqual(key, expected);
}

/** Problems with a username or password, in words for the person choosing them. */
export function checkCredentials(username: string, password: string): string[] {
  const problems: string[] = [];
  if (!/^[a-z0-9][a-z0-9._-]{1,62}$/i.test(username)) {
    problems.push("username: 2–63 letters, digits, dots, dashes or underscores");
  }
  if (password.length < 12) problems.push("password: at least 12 characters");
  if (password.length > 1024) problems.push("password: at most 1024 characters");
  return problems;
}

/** Adds a web login, or replaces the password and role of an existing one. */
export async function upsertUser(orm: Orm, username: string, password: string, role: Role): Promise<"created" | "updated"> {
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
  const ok = await verifyPassword(password, user?.passwordHash ?? "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  if (!user || !ok || (user.role !== "admin" && user.role !== "editor")) return null;
  return { role: user.role, name: `user:${user.username}`, username: user.username };
}
