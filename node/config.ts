import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { invalidRange, type AddressPolicy } from "./net/address-policy.ts";

/** Everything a node needs to know about how to run; made only by {@link loadConfig}. */
export interface Config {
  /** TCP port to listen on (default 8080). */
  readonly port: number;
  /** Address to bind (default: all interfaces). */
  readonly host?: string;
  /** Public origin the node's URLs start with (default `http://localhost:<port>`). */
  readonly origin: string;
  /** Folder of the database and other state (default `./data`). */
  readonly dataDir: string;
  /**
   * PostgreSQL to keep the store in (`--database`, WEGO_DATABASE_URL: `postgres://…`);
   * unset: SQLite in `dataDir` (the embedded default). Keys and configuration stay in `dataDir`.
   */
  readonly databaseUrl?: string;
  /** The city's handle (default `seoul`). */
  readonly city: string;
  /** The city's display name (default "Seoul Metropolitan Government"). */
  readonly name: string;
  /** The city's ISO 3166-1 alpha-2 country (default `KR`). */
  readonly country: string;
  /** The city's own website, shown on its fediverse profile (`--website`, WEGO_WEBSITE). */
  readonly website?: string;
  /** The year the city joined WeGO, shown on its fediverse profile (`--member-since`, WEGO_MEMBER_SINCE). */
  readonly memberSince?: string;
  /** Load `seeds/<city>/` on first start (default true). */
  readonly seed: boolean;
  /** Folder holding the seed libraries (default the repository's `seeds/`). */
  readonly seedsDir: string;
  /** Let federation reach loopback and private addresses: tests and demos only. */
  readonly allowPrivateAddress: boolean;
  /**
   * With {@link Config.allowPrivateAddress}, only these non-public ranges (CIDRs or
   * addresses: `--allow-private-address 127.0.0.1`); null: every range.
   */
  readonly allowedPrivateRanges: readonly string[] | null;
  /** Follow requests wait for an admin's approval (default true; `--auto-approve` turns it off). */
  readonly manuallyApprovesFollowers: boolean;
  /** When set, only these hosts (host[:port]) may peer: WeGO membership mode. */
  readonly peerAllowlist: readonly string[] | null;
  /**
   * The node runs behind one reverse proxy that sets X-Forwarded-For (default false): only
   * then is the client address (login limits) read from that header.
   */
  readonly trustProxy: boolean;
  /** Largest accepted request body, in bytes (default 1 MiB). */
  readonly maxBodyBytes: number;
  /** Largest file an official may upload for a dataset, in bytes (WEGO_MAX_UPLOAD_MB, default 25 MB). */
  readonly maxUploadBytes: number;
  /** Activities one host may deliver to the inboxes per second, sustained (default 50). */
  readonly inboxRatePerSecond: number;
  /** Worker threads answering searches (WEGO_SEARCH_THREADS; unset: one fewer than the cores, at most 4; 0: none). */
  readonly searchThreads?: number;
  /**
   * How long a delivery claimed by a process stays its own without a renewal (WEGO_QUEUE_LEASE_MS,
   * default 60 s): when several processes share a PostgreSQL database, a killed process's
   * deliveries go out from another one once their leases pass.
   */
  readonly queueLeaseMs: number;
  /** Least severe log level printed (default `info`). */
  readonly logLevel: LogLevel;
  /** Key-encryption key for private keys at rest (WEGO_SECRET_KEY); unset: `<dataDir>/secret.key`. */
  readonly secretKey?: string;
}

/** Log levels, least to most severe. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Options given on the command line; each overrides its environment variable. */
export interface ConfigFlags {
  readonly port?: string | number;
  readonly host?: string;
  readonly origin?: string;
  readonly data?: string;
  readonly database?: string;
  readonly city?: string;
  readonly name?: string;
  readonly country?: string;
  readonly website?: string;
  readonly memberSince?: string;
  readonly seed?: boolean;
  readonly allowPrivateAddress?: boolean | string;
  readonly autoApprove?: boolean;
  readonly allowHosts?: string;
  readonly trustProxy?: boolean;
  readonly logLevel?: string;
}

/** A configuration value that cannot be used; the message says which and why. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const DEFAULT_SEEDS_DIR = fileURLToPath(new URL("../seeds/", import.meta.url));

function parseWebsite(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol))
    throw new ConfigError(`website must be an http(s) URL, got ${value}`);
  return new URL(value).href;
}

function parseYear(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^(19|20)\d\d$/.test(value)) throw new ConfigError(`member-since must be a year such as 2010, got ${value}`);
  return value;
}

function parsePort(value: string | number): number {
  const port = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`port must be an integer 0–65535, got ${value}`);
  return port;
}

function parseOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`origin must be a URL like https://exchange.example.org, got ${value}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new ConfigError(`origin must use http or https, got ${value}`);
  if (url.pathname !== "/" || url.search || url.hash || url.username) {
    throw new ConfigError(`origin must be scheme, host and port only (no path), got ${value}`);
  }
  return url.origin;
}

function parseHosts(value: string | undefined): string[] | null {
  if (value === undefined || value.trim() === "") return null;
  const hosts = value
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  for (const h of hosts)
    if (!/^[a-z0-9.-]+(:\d+)?$/.test(h))
      throw new ConfigError(`allowed hosts must be host names with an optional :port, got ${h}`);
  return hosts;
}

/**
 * `--allow-private-address` alone (or `WEGO_ALLOW_PRIVATE_ADDRESS=true`) allows every
 * non-public address; with a comma-separated list of CIDRs or addresses, only those.
 */
function parsePrivateAddress(value: boolean | string | undefined): { allow: boolean; ranges: string[] | null } {
  if (value === undefined || value === false) return { allow: false, ranges: null };
  if (value === true) return { allow: true, ranges: null };
  const bool = parseBool(value);
  if (bool !== undefined && !/[.:]/.test(value)) return { allow: bool, ranges: null };
  const ranges = value
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean);
  const bad = invalidRange(ranges);
  if (bad !== null) throw new ConfigError(`--allow-private-address takes CIDRs or IP addresses, got ${bad}`);
  return { allow: ranges.length > 0, ranges };
}

function parseBool(value: string | undefined): boolean | undefined {
  if (value === undefined || value === "") return undefined;
  return ["1", "true", "yes", "on"].includes(value.toLowerCase());
}

/**
 * Builds the configuration from command-line flags, then `WEGO_*` environment
 * variables, then defaults. The only module that reads the environment.
 */
export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const port = parsePort(flags.port ?? env.WEGO_PORT ?? env.PORT ?? 8080);
  const city = (flags.city ?? env.WEGO_CITY ?? "seoul").toLowerCase();
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(city))
    throw new ConfigError(`city must be a short handle of letters, digits and dashes, got ${city}`);
  const country = (flags.country ?? env.WEGO_COUNTRY ?? "KR").toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) throw new ConfigError(`country must be an ISO 3166-1 alpha-2 code, got ${country}`);
  const logLevel = (flags.logLevel ?? env.WEGO_LOG_LEVEL ?? "info") as LogLevel;
  if (!["debug", "info", "warn", "error"].includes(logLevel))
    throw new ConfigError(`log level must be debug, info, warn or error`);
  const maxBodyBytes = Number(env.WEGO_MAX_BODY_BYTES ?? 1024 * 1024);
  const privateAddress = parsePrivateAddress(flags.allowPrivateAddress ?? env.WEGO_ALLOW_PRIVATE_ADDRESS);
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1024)
    throw new ConfigError("WEGO_MAX_BODY_BYTES must be an integer ≥ 1024");
  const maxUploadMb = Number(env.WEGO_MAX_UPLOAD_MB ?? 25);
  if (!Number.isInteger(maxUploadMb) || maxUploadMb < 1 || maxUploadMb > 4096)
    throw new ConfigError("WEGO_MAX_UPLOAD_MB must be a whole number of megabytes from 1 to 4096");
  const inboxRatePerSecond = Number(env.WEGO_INBOX_RATE ?? 200);
  if (!Number.isFinite(inboxRatePerSecond) || inboxRatePerSecond <= 0)
    throw new ConfigError("WEGO_INBOX_RATE must be a number > 0");
  const searchThreads = env.WEGO_SEARCH_THREADS ? Number(env.WEGO_SEARCH_THREADS) : undefined;
  if (searchThreads !== undefined && !(Number.isInteger(searchThreads) && searchThreads >= 0 && searchThreads <= 16))
    throw new ConfigError("WEGO_SEARCH_THREADS must be a whole number from 0 to 16");
  const queueLeaseMs = Number(env.WEGO_QUEUE_LEASE_MS || 60_000);
  if (!Number.isInteger(queueLeaseMs) || queueLeaseMs < 3_000 || queueLeaseMs > 3_600_000)
    throw new ConfigError("WEGO_QUEUE_LEASE_MS must be a whole number of milliseconds from 3000 to 3600000");
  return {
    port,
    host: flags.host ?? env.WEGO_HOST ?? undefined,
    origin: parseOrigin(flags.origin ?? env.WEGO_ORIGIN ?? `http://localhost:${port}`),
    dataDir: resolve(flags.data ?? env.WEGO_DATA ?? "data"),
    databaseUrl: parseDatabaseUrl(flags.database ?? env.WEGO_DATABASE_URL),
    city,
    name: flags.name ?? env.WEGO_NAME ?? city.charAt(0).toUpperCase() + city.slice(1),
    country,
    website: parseWebsite(flags.website ?? env.WEGO_WEBSITE),
    memberSince: parseYear(flags.memberSince ?? env.WEGO_MEMBER_SINCE),
    seed: flags.seed ?? parseBool(env.WEGO_SEED) ?? true,
    seedsDir: resolve(env.WEGO_SEEDS_DIR ?? DEFAULT_SEEDS_DIR),
    allowPrivateAddress: privateAddress.allow,
    allowedPrivateRanges: privateAddress.ranges,
    manuallyApprovesFollowers: !(flags.autoApprove ?? parseBool(env.WEGO_AUTO_APPROVE) ?? false),
    peerAllowlist: parseHosts(flags.allowHosts ?? env.WEGO_ALLOW_HOSTS),
    trustProxy: flags.trustProxy ?? parseBool(env.WEGO_TRUST_PROXY) ?? false,
    maxBodyBytes,
    maxUploadBytes: maxUploadMb * 1024 * 1024,
    inboxRatePerSecond,
    ...(searchThreads !== undefined ? { searchThreads } : {}),
    queueLeaseMs,
    logLevel,
    secretKey: env.WEGO_SECRET_KEY || undefined,
  };
}

/** A PostgreSQL URL (`postgres://` or `postgresql://`), or undefined for SQLite in the data folder. */
function parseDatabaseUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError("--database / WEGO_DATABASE_URL must be a postgres://user@host:port/database URL");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:")
    throw new ConfigError(
      "--database / WEGO_DATABASE_URL must be a postgres:// URL (SQLite is the default, in --data)",
    );
  return value;
}

/** The outbound address policy a configuration asks for. */
export function addressPolicyOf(config: Pick<Config, "allowPrivateAddress" | "allowedPrivateRanges">): AddressPolicy {
  return { allowPrivate: config.allowPrivateAddress, allowedRanges: config.allowedPrivateRanges };
}
