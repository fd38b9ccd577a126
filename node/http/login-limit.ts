import type { Context, Middleware, Next } from "koa";

/** Options of {@link createFailureCounter}. */
export interface FailureCounterOptions {
  /** Failures allowed per key in one window; the next attempt is refused. */
  readonly max: number;
  /** Window length in ms, counted from a key's first failure. */
  readonly windowMs: number;
  /** Most keys held at once (default 10,000); the oldest go first when it is full. */
  readonly maxKeys?: number;
  /** The clock, for tests (default `Date.now`). */
  readonly now?: () => number;
}

/** Failed attempts per key in fixed windows, in bounded memory. */
export interface FailureCounter {
  /** Seconds until `key` may try again, or 0 when it may now. */
  retryAfter(key: string): number;
  /** Counts one failure of `key`. */
  fail(key: string): void;
  /** Forgets `key`'s failures (after a success). */
  clear(key: string): void;
  /** How many keys are held (for tests of the bound). */
  readonly size: number;
}

/**
 * Counts failures per key. Written here rather than taken from koa-ratelimit, which counts
 * every request (not failures) and keys on one value per middleware: a login needs the
 * client address and the account, counted only when the password was wrong.
 */
export function createFailureCounter(options: FailureCounterOptions): FailureCounter {
  const { max, windowMs } = options;
  const maxKeys = options.maxKeys ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { count: number; resetAt: number }>();
  const live = (key: string) => {
    const e = entries.get(key);
    if (e && e.resetAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return e;
  };
  return {
    retryAfter(key) {
      const e = live(key);
      return e && e.count >= max ? Math.max(1, Math.ceil((e.resetAt - now()) / 1000)) : 0;
    },
    fail(key) {
      const e = live(key);
      if (e) {
        e.count++;
        return;
      }
      // Every window has the same length, so insertion order is also expiry order: the
      // first entry is the next to expire, and making room costs O(1) per failure.
      while (entries.size >= maxKeys) entries.delete(entries.keys().next().value!);
      entries.set(key, { count: 1, resetAt: now() + windowMs });
    },
    clear(key) {
      entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
}

/** Options of {@link loginRateLimit}. */
export interface LoginRateLimitOptions {
  /** Failed logins allowed per client address per window (default 10). */
  readonly maxPerAddress?: number;
  /** The address window in ms (default 10 minutes). */
  readonly addressWindowMs?: number;
  /** Failed logins allowed per username per window, from any address (default 10). */
  readonly maxPerAccount?: number;
  /** The account window in ms (default 15 minutes). */
  readonly accountWindowMs?: number;
  /** The username of a login request (read after the form is parsed). */
  readonly usernameOf: (ctx: Context) => string;
  /** Renders the page shown when a limit is reached (status 429 is kept). */
  readonly onLimited: (ctx: Context) => void;
  /**
   * Failure counters shared by every process on the database (PostgreSQL), by name
   * ("login-address", "login-account"); default: in this process's memory.
   */
  readonly sharedCounters?: (name: string, max: number, windowMs: number) => AsyncFailureCounter;
}

/** A failure counter whose answers may come from the database. */
export interface AsyncFailureCounter {
  retryAfter(key: string): number | Promise<number>;
  fail(key: string): Promise<void> | void;
  clear(key: string): Promise<void> | void;
}

/**
 * Limits failed logins per client address and per account. A login counts as failed when
 * the route answers 401. Once either limit is reached the password is not even checked:
 * the answer is 429 with `Retry-After`, the same whichever limit it was, so it tells nothing
 * about whether the account exists. The client address is `ctx.ip`, which is the
 * X-Forwarded-For address only when the node trusts its proxy (`--trust-proxy`).
 */
export function loginRateLimit(options: LoginRateLimitOptions): Middleware {
  const counter = (name: string, max: number, windowMs: number): AsyncFailureCounter =>
    options.sharedCounters?.(name, max, windowMs) ?? createFailureCounter({ max, windowMs });
  const byAddress = counter("login-address", options.maxPerAddress ?? 10, options.addressWindowMs ?? 10 * 60 * 1000);
  const byAccount = counter("login-account", options.maxPerAccount ?? 10, options.accountWindowMs ?? 15 * 60 * 1000);
  return async (ctx: Context, next: Next) => {
    const address = ctx.ip;
    const account = options.usernameOf(ctx).trim().toLowerCase().slice(0, 200);
    const wait = Math.max(await byAddress.retryAfter(address), account ? await byAccount.retryAfter(account) : 0);
    if (wait > 0) {
      ctx.status = 429;
      ctx.set("Retry-After", String(wait));
      options.onLimited(ctx);
      return;
    }
    await next();
    if (ctx.status === 401) {
      await byAddress.fail(address);
      if (account) await byAccount.fail(account);
    } else if (ctx.status < 400 && account) {
      await byAccount.clear(account);
    }
  };
}
