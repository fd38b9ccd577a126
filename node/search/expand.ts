// Expanding a wildcard pattern or a fuzzy term into the index terms it matches, within a
// budget. lunr's TokenSet does this without bounds: `fromFuzzyString` pushes one frame
// per sequence of edits (5^d of them; `abcdefghijklmnop~6` ran the heap out) and
// `intersect` revisits a trie node once per path of the pattern that reaches it. Written
// by hand because no library walks a sorted term list with a cap: the walk below carries
// the *set* of automaton states per prefix, so it visits each prefix of the index once,
// counts its steps and stops at a limit.

/** Bounds of one expansion in one segment. */
export interface ExpandLimits {
  /** More matching terms than this is an overflow. */
  readonly maxTerms: number;
  /** More prefixes of the index visited than this is an overflow. */
  readonly maxSteps: number;
}

/** What an expansion found; `overflow` says which limit stopped it (then `terms` is partial). */
export interface Expansion {
  readonly terms: string[];
  readonly steps: number;
  readonly overflow?: "terms" | "steps";
}

/** A finite automaton over UTF-16 code units, with its states as opaque values. */
interface Automaton<S> {
  readonly start: S;
  /** The state after reading `ch`, or null when no term can match any more. */
  next(state: S, ch: number): S | null;
  accepts(state: S): boolean;
}

/** First index in [lo, hi) whose term is not below `key` (terms sorted by code units). */
function lowerBound(terms: readonly string[], key: string, lo = 0, hi = terms.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (terms[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The range of terms that start with `prefix`. */
function prefixRange(terms: readonly string[], prefix: string): [number, number] {
  const lo = lowerBound(terms, prefix);
  let hi = lo;
  // Galloping, then binary search: a prefix's range is usually short.
  let step = 1;
  while (hi + step <= terms.length && terms[hi + step - 1]!.startsWith(prefix)) {
    hi += step;
    step *= 2;
  }
  let end = Math.min(terms.length, hi + step);
  while (hi < end) {
    const mid = (hi + end) >>> 1;
    if (terms[mid]!.startsWith(prefix)) hi = mid + 1;
    else end = mid;
  }
  return [lo, hi];
}

/**
 * Walks the prefixes of `terms[lo, hi)` (all starting with a prefix of length `depth`)
 * depth first, feeding each next code unit to the automaton and skipping every term under
 * a prefix where it dies. `terms` must be sorted by code units (JavaScript's default sort).
 */
function walk<S>(
  terms: readonly string[],
  automaton: Automaton<S>,
  limits: ExpandLimits,
  depth: number,
  lo: number,
  hi: number,
): Expansion {
  const found: string[] = [];
  let steps = 0;
  const stack: { depth: number; lo: number; hi: number; state: S }[] = [{ depth, lo, hi, state: automaton.start }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const d = frame.depth;
    let i = frame.lo;
    if (i < frame.hi && terms[i]!.length === d) {
      // Only the first term of a range can be the prefix itself.
      if (automaton.accepts(frame.state)) {
        found.push(terms[i]!);
        if (found.length > limits.maxTerms) return { terms: found.sort(), steps, overflow: "terms" };
      }
      i++;
    }
    while (i < frame.hi) {
      const ch = terms[i]!.charCodeAt(d);
      // The run of terms with `ch` at position d: the code units there never decrease.
      let a = i + 1;
      let b = frame.hi;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (terms[mid]!.charCodeAt(d) <= ch) a = mid + 1;
        else b = mid;
      }
      if (++steps > limits.maxSteps) return { terms: found.sort(), steps, overflow: "steps" };
      const state = automaton.next(frame.state, ch);
      if (state !== null) stack.push({ depth: d + 1, lo: i, hi: a, state });
      i = a;
    }
  }
  return { terms: found.sort(), steps };
}

/**
 * Terms matching a lunr wildcard pattern (`*` is any run of letters, also none): the range
 * of its literal prefix, each term of it checked against the rest. Every term of the range
 * is a step, so a short prefix of a large index overflows instead of scanning it all.
 */
export function expandWildcard(terms: readonly string[], pattern: string, limits: ExpandLimits): Expansion {
  const star = pattern.indexOf("*");
  if (star < 0) {
    const at = lowerBound(terms, pattern);
    return { terms: terms[at] === pattern ? [pattern] : [], steps: 1 };
  }
  const prefix = pattern.slice(0, star);
  const [lo, hi] = prefixRange(terms, prefix);
  if (/^\*+$/.test(pattern.slice(star))) {
    // A plain prefix: the range is the answer.
    if (hi - lo > limits.maxTerms)
      return { terms: terms.slice(lo, lo + limits.maxTerms + 1), steps: 1, overflow: "terms" };
    return { terms: terms.slice(lo, hi), steps: 1 };
  }
  const rest = pattern.slice(star);
  const found: string[] = [];
  let steps = 0;
  for (let i = lo; i < hi; i++) {
    if (++steps > limits.maxSteps) return { terms: found, steps, overflow: "steps" };
    if (!globMatches(rest, terms[i]!, star)) continue;
    found.push(terms[i]!);
    if (found.length > limits.maxTerms) return { terms: found, steps, overflow: "terms" };
  }
  return { terms: found, steps };
}

const STAR = 42; // "*"

/**
 * Whether `text` from `from` on matches a glob whose only special letter is `*`: the
 * classic greedy match that backs up to the last star, O(length of text × pattern).
 */
function globMatches(pattern: string, text: string, from: number): boolean {
  let p = 0;
  let t = from;
  let starAt = -1;
  let resume = 0;
  while (t < text.length) {
    const pc = pattern.charCodeAt(p);
    if (p < pattern.length && pc !== STAR && pc === text.charCodeAt(t)) {
      p++;
      t++;
    } else if (p < pattern.length && pc === STAR) {
      starAt = p++;
      resume = t;
    } else if (starAt >= 0) {
      p = starAt + 1;
      t = ++resume;
    } else return false;
  }
  while (p < pattern.length && pattern.charCodeAt(p) === STAR) p++;
  return p === pattern.length;
}

/**
 * Terms within `editDistance` edits of `term`, counted as lunr's `TokenSet.fromFuzzyString`
 * counts them (insertion, deletion, substitution, transposition of two neighbours; one
 * code unit each), so answers stay those of lunr, without its exponential frame stack.
 */
export function expandFuzzy(
  terms: readonly string[],
  term: string,
  editDistance: number,
  limits: ExpandLimits,
): Expansion {
  return walk(terms, fuzzyAutomaton(term, editDistance), limits, 0, 0, terms.length);
}

/**
 * lunr's fuzzy automaton with its frames merged. A frame of lunr is the rest of the term
 * still to produce and the edits left; the rest is a suffix `term[j..]`, or after a
 * transposition one held-back letter `term[c]` followed by `term[j..]`. A state of ours is
 * the set of such frames as flat pairs `[key, edits left, …]`, with
 * `key = j * (n + 1) + c + 1` and `c = -1` when nothing is held back. A frame already
 * there with as many edits left or more makes a new one redundant (it can only match less).
 */
function fuzzyAutomaton(term: string, editDistance: number): Automaton<number[]> {
  const n = term.length;
  const w = Array.from({ length: n }, (_, i) => term.charCodeAt(i));
  const N = n + 1;
  const put = (state: number[], k: number, edits: number): void => {
    for (let i = 0; i < state.length; i += 2) if (state[i] === k && state[i + 1]! >= edits) return;
    state.push(k, edits);
  };
  /** Deletions read nothing: add every frame reachable by deleting letters. */
  const close = (state: number[]): number[] => {
    for (let i = 0; i < state.length; i += 2) {
      const edits = state[i + 1]!;
      if (edits === 0) continue;
      const j = Math.floor(state[i]! / N);
      const c = (state[i]! % N) - 1;
      // Deleting the first letter of the rest: the held-back one, or term[j].
      if (c >= 0) put(state, j * N, edits - 1);
      else if (j < n) put(state, (j + 1) * N, edits - 1);
    }
    return state;
  };
  return {
    start: close([0, editDistance]),
    next(state, ch) {
      const out: number[] = [];
      for (let i = 0; i < state.length; i += 2) {
        const k = state[i]!;
        const edits = state[i + 1]!;
        const j = Math.floor(k / N);
        const c = (k % N) - 1;
        const len = n - j + (c >= 0 ? 1 : 0);
        const rest = c >= 0 ? j * N : (j + 1) * N;
        if (len > 0 && (c >= 0 ? w[c] : w[j]) === ch) put(out, rest, edits);
        if (edits === 0) continue;
        put(out, k, edits - 1); // insertion of ch
        if (len > 0) put(out, rest, edits - 1); // substitution by ch
        // Transposition: ch is the second letter; the first is held back for later.
        if (len > 1 && (c >= 0 ? w[j] : w[j + 1]) === ch)
          put(out, c >= 0 ? (j + 1) * N + c + 1 : (j + 2) * N + j + 1, edits - 1);
      }
      return out.length === 0 ? null : close(out);
    },
    accepts(state) {
      // Nothing left to produce: j at the end and nothing held back.
      for (let i = 0; i < state.length; i += 2) if (state[i] === n * N) return true;
      return false;
    },
  };
}
