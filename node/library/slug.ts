import { randomBytes } from "node:crypto";

const ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

/** A short random suffix from an unambiguous lowercase alphabet. */
export function randomSuffix(length = 6): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

/**
 * A readable, unique URL path segment for a new item: the Latin letters and digits of
 * its title (accents folded) plus a random suffix; only the suffix when the title has none.
 */
export function slugForTitle(title: string): string {
  const base = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/g, "");
  return base ? `${base}-${randomSuffix()}` : randomSuffix(10);
}

/** Whether a string is acceptable as an item slug (used for seeds and URL routing). */
export function isValidSlug(slug: string): boolean {
  return /^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$/.test(slug);
}
