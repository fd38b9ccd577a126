import type { Orm } from "./orm.ts";
import { BlockedHost, Peer, type PeerRow } from "./entities.ts";

/** A peer's state as the API reports it. */
export type PeerState = "requested" | "pending" | "following" | "followed" | "mutual" | "rejected" | "blocked" | "none";

/** What the node learned about a remote city actor. */
export interface ActorInfo {
  readonly actorId: string;
  readonly handle?: string | null;
  readonly name?: string | null;
  readonly inbox?: string | null;
  readonly sharedInbox?: string | null;
  readonly outbox?: string | null;
}

/** A peer as listed by `GET /api/peers`. */
export interface PeerView {
  readonly actor: string;
  readonly host: string;
  readonly handle: string | null;
  readonly name: string | null;
  readonly state: PeerState;
  /** Our follow of them: none, requested, accepted or rejected. */
  readonly weFollow: string;
  /** Their follow of us: none, pending, accepted or rejected. */
  readonly theyFollow: string;
  readonly items: number;
  readonly lastSeen: string | null;
  readonly lastError: string | null;
  /** False from the first failed contact after the last successful one, until the next success. */
  readonly healthy: boolean;
  /** When the failed contacts that make the peer unhealthy began, or null while it is healthy. */
  readonly failingSince: string | null;
  readonly backfill: { readonly state: string; readonly done: number; readonly total: number };
}

/** A follower to deliver to. */
export interface FollowerInbox {
  readonly actorId: string;
  readonly inbox: string;
  readonly sharedInbox: string | null;
}

/** Fewest ms between two writes of a healthy peer's `lastSeen` (a busy peer must not cost a commit per item). */
const TOUCH_EVERY_MS = 60_000;

/**
 * Whether the last contact with a peer failed: an error after the last success. `lastErrorAt`
 * holds when the current run of failures began (see {@link PeerStore.recordError}).
 */
export function isFailing(row: Pick<PeerRow, "lastSeen" | "lastErrorAt">): boolean {
  return !!row.lastErrorAt && (!row.lastSeen || row.lastErrorAt > row.lastSeen);
}

/** The state word for a peer row (blocked hosts are reported by the caller). */
export function peerState(row: Pick<PeerRow, "weFollow" | "theyFollow">): PeerState {
  const weFollow = row.weFollow === "accepted";
  const theyFollow = row.theyFollow === "accepted";
  if (weFollow && theyFollow) return "mutual";
  // A request awaiting an admin shows first: it is the state that needs someone to act.
  if (row.theyFollow === "pending") return "pending";
  if (weFollow) return "following";
  if (theyFollow) return "followed";
  if (row.weFollow === "requested") return "requested";
  if (row.weFollow === "rejected") return "rejected";
  return "none";
}

/** The host (with port) of an actor URL, lower-cased. */
export function hostOf(url: string): string {
  return new URL(url).host.toLowerCase();
}

/** Peering state in the node's database: the one owner of `peers` and `blocked_hosts`. */
export interface PeerStore {
  get(actorId: string): Promise<PeerRow | null>;
  /** Records (or refreshes) what we know of an actor; keeps follow states. */
  remember(info: ActorInfo): Promise<PeerRow>;
  update(actorId: string, changes: Partial<PeerRow>): Promise<void>;
  /** Every known peer, and every blocked host, with the number of items held from each origin. */
  list(itemsByOrigin: Record<string, number>): Promise<PeerView[]>;
  /** Followers whose follow we accepted, on hosts not blocked. */
  followers(): Promise<FollowerInbox[]>;
  /** Peers we follow (accepted), on hosts not blocked. */
  following(): Promise<PeerRow[]>;
  isBlocked(host: string): Promise<boolean>;
  block(host: string, reason?: string): Promise<PeerRow[]>;
  unblock(host: string): Promise<boolean>;
  /**
   * Notes a successful contact with an actor. Written at most once a minute while the peer
   * is healthy, and at once when it was failing, so it shows healthy again right away.
   */
  touch(actorId: string): Promise<void>;
  /** Notes a successful contact with every peer on a host (a delivery to its inbox). */
  touchHost(host: string): Promise<void>;
  /**
   * Notes a failed contact with every peer on a host, at once: `lastError` becomes
   * `message`, and `lastErrorAt` the time of this failure unless the peer was failing
   * already (then it keeps when the failures began).
   */
  recordError(host: string, message: string): Promise<void>;
  /**
   * The names peer actors on these hosts (at most 500) gave themselves, unfiltered: the
   * actor we follow on a host first, then by actor id. Never cached: for pages only.
   */
  actorNames(hosts: readonly string[]): Promise<{ readonly host: string; readonly name: string | null }[]>;
}

/** Creates the peer store over the node's database. */
export function createPeerStore(orm: Orm): PeerStore {
  const now = () => new Date().toISOString();
  const em = () => orm.em.fork();
  // Every ingest asks "is this host blocked?" and "do we follow this peer?": answer from
  // memory. Peering changes only through this store (the API and the CLI go through the
  // running node), so the caches are invalidated right here.
  let blocked: Promise<Set<string>> | null = null;
  const rows = new Map<string, Promise<PeerRow | null>>();
  const blockedSet = () =>
    (blocked ??= em()
      .find(BlockedHost, {})
      .then((list) => new Set(list.map((b) => b.host))));
  const touched = new Map<string, number>();
  const forget = (actorId?: string) => (actorId ? rows.delete(actorId) : rows.clear());

  function get(actorId: string): Promise<PeerRow | null> {
    let row = rows.get(actorId);
    if (!row) {
      row = em().findOne(Peer, { actorId });
      rows.set(actorId, row);
    }
    return row.then((r) => (r ? { ...r } : null));
  }

  return {
    get,

    async remember(info) {
      forget(info.actorId);
      const e = em();
      const existing = await e.findOne(Peer, { actorId: info.actorId });
      const fields = {
        handle: info.handle ?? existing?.handle ?? null,
        name: info.name ?? existing?.name ?? null,
        inbox: info.inbox ?? existing?.inbox ?? null,
        sharedInbox: info.sharedInbox ?? existing?.sharedInbox ?? null,
        outbox: info.outbox ?? existing?.outbox ?? null,
        updatedAt: now(),
      };
      if (existing) {
        await e.nativeUpdate(Peer, { actorId: info.actorId }, fields);
        return { ...existing, ...fields };
      }
      const row: PeerRow = {
        actorId: info.actorId,
        host: hostOf(info.actorId),
        ...fields,
        weFollow: "none",
        theyFollow: "none",
        backfillState: "idle",
        backfillDone: 0,
        backfillTotal: 0,
        createdAt: now(),
      };
      await e.insert(Peer, row);
      return row;
    },

    async update(actorId, changes) {
      await em().nativeUpdate(Peer, { actorId }, { ...changes, updatedAt: now() });
      forget(actorId);
    },

    async list(itemsByOrigin) {
      const e = em();
      const [rows, blocked] = await Promise.all([
        e.find(Peer, {}, { orderBy: { host: "asc" } }),
        e.find(BlockedHost, {}),
      ]);
      const blockedSet = new Set(blocked.map((b) => b.host));
      const views: PeerView[] = rows.map((r) => {
        const origin = new URL(r.actorId).origin;
        const failing = isFailing(r);
        return {
          actor: r.actorId,
          host: r.host,
          handle: r.handle ?? null,
          name: r.name ?? null,
          state: blockedSet.has(r.host) ? "blocked" : peerState(r),
          weFollow: r.weFollow,
          theyFollow: r.theyFollow,
          items: itemsByOrigin[origin] ?? 0,
          lastSeen: r.lastSeen ?? null,
          lastError: r.lastError ?? null,
          healthy: !failing,
          failingSince: failing ? r.lastErrorAt! : null,
          backfill: { state: r.backfillState, done: r.backfillDone, total: r.backfillTotal },
        };
      });
      // Blocked hosts without a known actor still show, so an admin can unblock them.
      for (const host of blockedSet) {
        if (!rows.some((r) => r.host === host)) {
          views.push({
            actor: "",
            host,
            handle: null,
            name: null,
            state: "blocked",
            weFollow: "none",
            theyFollow: "none",
            items: 0,
            lastSeen: null,
            lastError: null,
            healthy: false,
            failingSince: null,
            backfill: { state: "idle", done: 0, total: 0 },
          });
        }
      }
      return views;
    },

    async followers() {
      const e = em();
      const [rows, blocked] = await Promise.all([e.find(Peer, { theyFollow: "accepted" }), e.find(BlockedHost, {})]);
      const blockedSet = new Set(blocked.map((b) => b.host));
      return rows
        .filter((r) => !blockedSet.has(r.host) && r.inbox)
        .map((r) => ({ actorId: r.actorId, inbox: r.inbox!, sharedInbox: r.sharedInbox ?? null }));
    },

    async following() {
      const e = em();
      const [rows, blocked] = await Promise.all([e.find(Peer, { weFollow: "accepted" }), e.find(BlockedHost, {})]);
      const blockedSet = new Set(blocked.map((b) => b.host));
      return rows.filter((r) => !blockedSet.has(r.host));
    },

    async isBlocked(host) {
      return (await blockedSet()).has(host.toLowerCase());
    },

    async block(host, reason) {
      const e = em();
      const h = host.toLowerCase();
      if (!(await e.findOne(BlockedHost, { host: h })))
        await e.insert(BlockedHost, { host: h, reason: reason ?? null, createdAt: now() });
      (await blockedSet()).add(h);
      const peers = await e.find(Peer, { host: h });
      await e.nativeUpdate(Peer, { host: h }, { theyFollow: "none", theirFollowId: null, updatedAt: now() });
      forget();
      return peers;
    },

    async unblock(host) {
      (await blockedSet()).delete(host.toLowerCase());
      return (await em().nativeDelete(BlockedHost, { host: host.toLowerCase() })) > 0;
    },

    async touch(actorId) {
      const last = touched.get(actorId) ?? 0;
      if (Date.now() - last < TOUCH_EVERY_MS) {
        const row = await get(actorId);
        if (!row || !isFailing(row)) return;
      }
      touched.set(actorId, Date.now());
      await em().nativeUpdate(Peer, { actorId }, { lastSeen: now() });
      forget(actorId);
    },

    async touchHost(host) {
      const h = host.toLowerCase();
      const key = `host:${h}`;
      const last = touched.get(key) ?? 0;
      if (Date.now() - last < TOUCH_EVERY_MS) {
        const failing = await em().find(Peer, { host: h }, { fields: ["actorId", "lastSeen", "lastErrorAt"] });
        if (!failing.some(isFailing)) return;
      }
      touched.set(key, Date.now());
      await em().nativeUpdate(Peer, { host: h }, { lastSeen: now() });
      forget();
    },

    async actorNames(hosts) {
      if (hosts.length === 0) return [];
      const found = await em().find(
        Peer,
        { host: { $in: hosts.slice(0, 500) } },
        { fields: ["actorId", "host", "name", "weFollow"] },
      );
      found.sort(
        (a, b) =>
          Number(b.weFollow === "accepted") - Number(a.weFollow === "accepted") || a.actorId.localeCompare(b.actorId),
      );
      return found.map((r) => ({ host: r.host, name: r.name ?? null }));
    },

    async recordError(host, message) {
      const e = em();
      const at = now();
      const found = await e.find(
        Peer,
        { host: host.toLowerCase() },
        { fields: ["actorId", "lastSeen", "lastErrorAt"] },
      );
      for (const r of found) {
        await e.nativeUpdate(
          Peer,
          { actorId: r.actorId },
          { lastError: message.slice(0, 500), lastErrorAt: isFailing(r) ? r.lastErrorAt : at },
        );
      }
      forget();
    },
  };
}
