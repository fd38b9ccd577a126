/** Limits on the shape of JSON the node accepts from other hosts. */
export interface JsonBounds {
  /** Deepest nesting of objects and arrays (default 16). */
  readonly maxDepth?: number;
  /** Most values in the whole document: objects, arrays, strings, numbers… (default 20,000). */
  readonly maxNodes?: number;
  /** Most keys in one object (default 500). */
  readonly maxKeys?: number;
  /**
   * Deepest level at which an object may carry its own JSON-LD `@context` (default: any).
   * Embedded contexts are what makes JSON-LD expansion costly; ActivityPub servers put
   * one at the top of an activity, sometimes one in its object.
   */
  readonly maxContextDepth?: number;
}

/** Outcome of {@link parseBoundedJson}. */
export type BoundedJson =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: string };

/**
 * Parses remote JSON and refuses it when it is deeper, larger or wider than the bounds:
 * JSON-LD processing (Fedify's) costs grow with nesting far faster than with bytes, so a
 * few kilobytes of nested objects must never reach it. The walk is iterative.
 */
export function parseBoundedJson(text: string, bounds: JsonBounds = {}): BoundedJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      reason: error instanceof RangeError ? "the JSON is nested too deeply" : "the body is not JSON",
    };
  }
  const refused = checkJsonBounds(value, bounds);
  return refused ? { ok: false, reason: refused } : { ok: true, value };
}

/** Why an already parsed value breaks the bounds, or null. */
export function checkJsonBounds(value: unknown, bounds: JsonBounds = {}): string | null {
  const maxDepth = bounds.maxDepth ?? 16;
  const maxNodes = bounds.maxNodes ?? 20_000;
  const maxKeys = bounds.maxKeys ?? 500;
  const maxContextDepth = bounds.maxContextDepth ?? Infinity;
  const stack: [unknown, number][] = [[value, 1]];
  let nodes = 0;
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (++nodes > maxNodes) return `the JSON has more than ${maxNodes} values`;
    if (current === null || typeof current !== "object") continue;
    if (depth > maxDepth) return `the JSON is nested deeper than ${maxDepth} levels`;
    const children = Array.isArray(current) ? current : Object.values(current);
    if (!Array.isArray(current) && children.length > maxKeys) return `a JSON object has more than ${maxKeys} keys`;
    if (depth > maxContextDepth && !Array.isArray(current) && "@context" in current)
      return `a JSON-LD @context is embedded deeper than level ${maxContextDepth}`;
    for (const child of children) stack.push([child, depth + 1]);
  }
  return null;
}
