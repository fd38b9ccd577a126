import { EntitySchema, Type } from "@mikro-orm/core";

/**
 * A flag stored as 0/1 in an `integer` column on both databases: raw SQL can say
 * `deleted = 0` on SQLite and PostgreSQL alike (PostgreSQL compares no boolean with an integer).
 */
export class IntBoolean extends Type<boolean, number> {
  override convertToDatabaseValue(value: boolean | number): number {
    return value === true || value === 1 ? 1 : 0;
  }
  override convertToJSValue(value: number | boolean): boolean {
    return value === 1 || value === true;
  }
  override getColumnType(): string {
    return "integer";
  }
}

/** The current state of one item (local or a peer's): the head of its version chain. */
export interface ItemRow {
  id: string;
  type: string;
  origin: string;
  local: boolean;
  version: number;
  title: string;
  city: string;
  language: string;
  published: string;
  updated: string;
  deleted: boolean;
  verified: boolean;
  createdAt: string;
}

/** One signed version of an item; never changed once written. */
export interface ItemVersionRow {
  seq?: number;
  itemId: string;
  version: number;
  document: string;
  jws: string;
  html: string;
  author: string;
  changed: string;
  createdAt: string;
  /** JSON `{ via, receivedAt, kid }` for a peer's version; `{}` for the node's own. */
  provenance?: string;
}

/** A bearer token; only the SHA-256 of the secret is kept. */
export interface TokenRow {
  id?: number;
  hash: string;
  role: string;
  name: string;
  createdAt: string;
  lastUsedAt?: string | null;
  revokedAt?: string | null;
}

/** A web login; the password is kept as an scrypt hash. */
export interface UserRow {
  id?: number;
  username: string;
  passwordHash: string;
  role: string;
  createdAt: string;
  /** When an admin disabled the login; null while it may log in. */
  disabledAt?: string | null;
}

/** A key pair of the node; `retiredAt` null marks the current key of its purpose. */
export interface KeyRow {
  kid: string;
  purpose: string;
  publicJwk: string;
  privateJwk: string;
  createdAt: string;
  retiredAt?: string | null;
}

/** Small node-wide facts (e.g. whether seeds were loaded). */
export interface MetaRow {
  key: string;
  value: string;
}

/** MikroORM mapping of {@link ItemRow}. */
export const Item = new EntitySchema<ItemRow>({
  name: "Item",
  tableName: "items",
  properties: {
    id: { type: "string", primary: true },
    type: { type: "string" },
    origin: { type: "string" },
    local: { type: IntBoolean },
    version: { type: "integer" },
    title: { type: "string" },
    city: { type: "string" },
    language: { type: "string" },
    published: { type: "string" },
    updated: { type: "string" },
    deleted: { type: IntBoolean },
    verified: { type: IntBoolean },
    createdAt: { type: "string" },
  },
});

/** MikroORM mapping of {@link ItemVersionRow}. */
export const ItemVersion = new EntitySchema<ItemVersionRow>({
  name: "ItemVersion",
  tableName: "item_versions",
  properties: {
    seq: { type: "integer", primary: true, autoincrement: true },
    itemId: { type: "string" },
    version: { type: "integer" },
    document: { type: "text" },
    jws: { type: "text" },
    html: { type: "text" },
    author: { type: "string" },
    changed: { type: "string" },
    createdAt: { type: "string" },
    provenance: { type: "text", nullable: true },
  },
});

/** MikroORM mapping of {@link TokenRow}. */
export const Token = new EntitySchema<TokenRow>({
  name: "Token",
  tableName: "tokens",
  properties: {
    id: { type: "integer", primary: true, autoincrement: true },
    hash: { type: "string", unique: true },
    role: { type: "string" },
    name: { type: "string" },
    createdAt: { type: "string" },
    lastUsedAt: { type: "string", nullable: true },
    revokedAt: { type: "string", nullable: true },
  },
});

/** MikroORM mapping of {@link UserRow}. */
export const User = new EntitySchema<UserRow>({
  name: "User",
  tableName: "users",
  properties: {
    id: { type: "integer", primary: true, autoincrement: true },
    username: { type: "string", unique: true },
    passwordHash: { type: "string" },
    role: { type: "string" },
    createdAt: { type: "string" },
    disabledAt: { type: "string", nullable: true },
  },
});

/** MikroORM mapping of {@link KeyRow}. */
export const Key = new EntitySchema<KeyRow>({
  name: "Key",
  tableName: "keys",
  properties: {
    kid: { type: "string", primary: true },
    purpose: { type: "string" },
    publicJwk: { type: "text" },
    privateJwk: { type: "text" },
    createdAt: { type: "string" },
    retiredAt: { type: "string", nullable: true },
  },
});

/** MikroORM mapping of {@link MetaRow}. */
export const Meta = new EntitySchema<MetaRow>({
  name: "Meta",
  tableName: "meta",
  properties: {
    key: { type: "string", primary: true },
    value: { type: "text" },
  },
});

/** A peer city actor and the state of the follow relations in both directions. */
export interface PeerRow {
  actorId: string;
  host: string;
  handle?: string | null;
  name?: string | null;
  inbox?: string | null;
  sharedInbox?: string | null;
  outbox?: string | null;
  /** none | requested | accepted | rejected */
  weFollow: string;
  ourFollowId?: string | null;
  /** none | pending | accepted | rejected */
  theyFollow: string;
  theirFollowId?: string | null;
  lastSeen?: string | null;
  lastError?: string | null;
  /** When the current run of failed contacts began (the last run's start once a contact succeeds again). */
  lastErrorAt?: string | null;
  /** idle | running | done | failed */
  backfillState: string;
  backfillDone: number;
  backfillTotal: number;
  backfillCursor?: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A host whose follows, deliveries and items the node refuses. */
export interface BlockedHostRow {
  host: string;
  reason?: string | null;
  createdAt: string;
}

/** MikroORM mapping of {@link PeerRow}. */
export const Peer = new EntitySchema<PeerRow>({
  name: "Peer",
  tableName: "peers",
  properties: {
    actorId: { type: "string", primary: true },
    host: { type: "string" },
    handle: { type: "string", nullable: true },
    name: { type: "string", nullable: true },
    inbox: { type: "string", nullable: true },
    sharedInbox: { type: "string", nullable: true },
    outbox: { type: "string", nullable: true },
    weFollow: { type: "string" },
    ourFollowId: { type: "string", nullable: true },
    theyFollow: { type: "string" },
    theirFollowId: { type: "string", nullable: true },
    lastSeen: { type: "string", nullable: true },
    lastError: { type: "text", nullable: true },
    lastErrorAt: { type: "string", nullable: true },
    backfillState: { type: "string" },
    backfillDone: { type: "integer" },
    backfillTotal: { type: "integer" },
    backfillCursor: { type: "text", nullable: true },
    createdAt: { type: "string" },
    updatedAt: { type: "string" },
  },
});

/** MikroORM mapping of {@link BlockedHostRow}. */
export const BlockedHost = new EntitySchema<BlockedHostRow>({
  name: "BlockedHost",
  tableName: "blocked_hosts",
  properties: {
    host: { type: "string", primary: true },
    reason: { type: "string", nullable: true },
    createdAt: { type: "string" },
  },
});

/** Every entity the node maps. */
export const entities = [Item, ItemVersion, Token, User, Key, Meta, Peer, BlockedHost];
