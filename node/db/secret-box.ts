import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

// Private keys in the database are sealed with AES-256-GCM under a key-encryption key
// (KEK) that is NOT in the database: `<data>/secret.key` (0600, made on first start) or
// WEGO_SECRET_KEY. A copy of the database alone (a backup, a dump, a later PostgreSQL
// server) then holds no usable private key. Hand-written over node:crypto: a few lines,
// and no library here does less.

/** The file in the data folder that holds the key-encryption key. */
export const SECRET_KEY_FILE = "secret.key";

/** Prefix of a sealed value: the format and its version. */
const SEALED_PREFIX = "aes256gcm:v1:";

/** A sealed value cannot be opened: wrong key-encryption key, or a damaged row. */
export class SecretKeyError extends Error {
  override name = "SecretKeyError";
}

/** Seals and opens secrets under one key-encryption key. */
export interface SecretBox {
  /** Encrypts `plaintext`; `context` (e.g. the key's id) is bound to it and must be given again to open it. */
  seal(plaintext: string, context: string): string;
  /** Decrypts a value made by {@link SecretBox.seal}; throws {@link SecretKeyError} when it cannot. */
  open(sealed: string, context: string): string;
}

/** Whether a stored value was sealed by a {@link SecretBox} (rather than stored in plain). */
export function isSealed(value: string): boolean {
  return value.startsWith(SEALED_PREFIX);
}

/** Parses a key-encryption key: 32 bytes as base64url/base64 (43–44 characters) or hex (64). */
export function parseSecretKey(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, "hex");
  if (/^[A-Za-z0-9_\-+/]{43}=?$/.test(t)) {
    const bytes = Buffer.from(t.replace(/\+/g, "-").replace(/\//g, "_").replace(/=$/, ""), "base64url");
    if (bytes.length === 32) return bytes;
  }
  return null;
}

/** Options of {@link loadSecretKey}. */
export interface LoadSecretKeyOptions {
  /** The data folder; the key is `<dataDir>/secret.key`, made (0600) when missing. */
  readonly dataDir: string;
  /** A key given by the operator (WEGO_SECRET_KEY); when set, no file is read or made. */
  readonly secretKey?: string;
}

/** A loaded key-encryption key; `createdFile` names the `secret.key` this load made, if it made one. */
export interface LoadedSecretKey {
  readonly key: Buffer;
  readonly createdFile: string | null;
}

/**
 * The key-encryption key: the one given, else the data folder's `secret.key` (created
 * with 32 random bytes and mode 0600 on first use; set to 0600 at every load).
 */
export function loadSecretKey(options: LoadSecretKeyOptions): LoadedSecretKey {
  if (options.secretKey !== undefined) {
    const key = parseSecretKey(options.secretKey);
    if (!key)
      throw new SecretKeyError(
        "WEGO_SECRET_KEY must be 32 bytes, as 64 hex digits or 43 base64url characters (e.g. `openssl rand -base64 32`)",
      );
    return { key, createdFile: null };
  }
  const file = join(options.dataDir, SECRET_KEY_FILE);
  let createdFile: string | null = null;
  if (!existsSync(file)) {
    try {
      // "wx": never overwrite a key another process made a moment ago.
      writeFileSync(file, `${randomBytes(32).toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
      createdFile = file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  chmodSync(file, 0o600);
  const key = parseSecretKey(readFileSync(file, "utf8"));
  if (!key) throw new SecretKeyError(`${file} does not hold a 32-byte key (base64url or hex)`);
  return { key, createdFile };
}

/** Creates a {@link SecretBox} over a 32-byte key-encryption key. */
export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new TypeError(`the key-encryption key must be 32 bytes, got ${key.length}`);
  return {
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(context, "utf8"));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return `${SEALED_PREFIX}${iv.toString("base64url")}:${body.toString("base64url")}`;
    },
    open(sealed, context) {
      if (!isSealed(sealed)) throw new SecretKeyError("the value is not sealed");
      const [ivText, bodyText] = sealed.slice(SEALED_PREFIX.length).split(":");
      const iv = Buffer.from(ivText ?? "", "base64url");
      const body = Buffer.from(bodyText ?? "", "base64url");
      if (iv.length !== 12 || body.length < 16) throw new SecretKeyError("the sealed value is malformed");
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, iv);
        decipher.setAAD(Buffer.from(context, "utf8"));
        decipher.setAuthTag(body.subarray(body.length - 16));
        return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString("utf8");
      } catch (cause) {
        throw new SecretKeyError(
          "a sealed secret does not open with this key-encryption key (another secret.key or WEGO_SECRET_KEY?)",
          { cause },
        );
      }
    },
  };
}

const boxes = new WeakMap<object, SecretBox>();

/** Attaches the box a database's secrets are sealed with to that database handle (done by `openDatabase`). */
export function attachSecretBox(orm: object, box: SecretBox): void {
  boxes.set(orm, box);
}

/** The box the secrets of a database opened by `openDatabase` are sealed with. */
export function secretBoxOf(orm: object): SecretBox {
  const box = boxes.get(orm);
  if (!box) throw new TypeError("this database was not opened by openDatabase(): no key-encryption key");
  return box;
}
