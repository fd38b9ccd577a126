import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { addressPolicyOf, type Config } from "./config.ts";
import { createOutbound, installGlobalGuard } from "./net/outbound.ts";
import { openDatabase, type Orm } from "./db/orm.ts";
import { createKeyStore } from "./db/key-store.ts";
import type { KeyStore } from "./signing/keys.ts";
import { createDocumentValidator } from "./library/validation.ts";
import { createLibrary, type Library } from "./library/library.ts";
import { identityOf, type NodeIdentity } from "./library/identity.ts";
import { loadSeeds } from "./library/seed.ts";
import { sweepTemporaryUploads } from "./library/uploads.ts";
import { createLogger, type Logger } from "./log.ts";
import { createApp } from "./app.ts";
import { createRenderPool } from "./render/render-pool.ts";
import { createFederationService, type FederationService } from "./federation/service.ts";
import { createSqliteKvStore } from "./db/fedify-kv.ts";
import { createSqliteMessageQueue } from "./federation/queue.ts";
import { createSearchService, type SearchService } from "./search/service.ts";

/** A running node, as {@link startNode} returns it. */
export interface RunningNode {
  readonly config: Config;
  readonly identity: NodeIdentity;
  readonly orm: Orm;
  readonly library: Library;
  readonly keys: KeyStore;
  readonly search: SearchService;
  readonly federation: FederationService;
  readonly server: Server;
  /** The URL the server actually listens on (useful with port 0). */
  readonly url: string;
  /** Stops accepting requests, finishes open ones and closes the database. */
  close(): Promise<void>;
}

/** Opens the store, loads seeds once, and serves the node: the composition root. */
export async function startNode(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningNode> {
  const orm = await openDatabase({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    secretKey: config.secretKey,
  });
  const identity = identityOf(config);
  const keys = createKeyStore({ orm });
  await keys.current();
  const validator = createDocumentValidator();
  const renderPool = createRenderPool();
  const renderFailed = (error: unknown) =>
    logger.error("could not render peers' versions; reads render them", {
      error: String((error as Error)?.message ?? error),
    });
  const library = createLibrary({
    orm,
    keys,
    validator,
    identity,
    render: renderPool.render,
    onRenderError: renderFailed,
  });
  if (config.seed) {
    const seeded = await loadSeeds({
      orm,
      library,
      seedsDir: config.seedsDir,
      city: config.city,
      origin: config.origin,
    });
    if (seeded.status === "invalid") {
      await orm.close();
      throw new Error(
        `seed ${seeded.file} is not valid: ${seeded.details.map((d) => `${d.path} ${d.message}`).join("; ")}`,
      );
    }
    if (seeded.status === "loaded") logger.info("seeded the library", { count: seeded.count, city: config.city });
  }
  // Peers' versions stored without HTML (by an older node, or ingested just before a stop) get
  // it now, on the render worker; reads render such a version for themselves until then.
  void library
    .renderPending()
    .then((count) => count > 0 && logger.info("rendered peers' versions stored without HTML", { count }), renderFailed);
  // Subscribes to the library itself; loads its saved base index or builds one in a worker.
  const search = await createSearchService({
    orm,
    library,
    dataDir: config.dataDir,
    logger,
    queryThreads: config.searchThreads,
  });
  // One guard for every connection the process opens, Fedify's deliveries included.
  const outbound = createOutbound({ policy: addressPolicyOf(config) });
  installGlobalGuard(outbound);
  const queue = createSqliteMessageQueue(orm, { workers: 8, leaseMs: config.queueLeaseMs });
  // Deliveries a killed predecessor had claimed go out now, not when their leases expire.
  const released = await queue.releaseOrphanedLeases();
  if (released > 0) logger.info("resumed deliveries interrupted by a crash", { count: released });
  const federationService = createFederationService({
    orm,
    library,
    validator,
    identity,
    logger,
    kv: createSqliteKvStore(orm),
    queue,
    outbound,
    manuallyApprovesFollowers: config.manuallyApprovesFollowers,
    allowlist: config.peerAllowlist,
    inboxRatePerSecond: config.inboxRatePerSecond,
    profile: { website: config.website, memberSince: config.memberSince },
  });
  await sweepTemporaryUploads(join(config.dataDir, "files"));
  const app = createApp({
    orm,
    library,
    search,
    federationService,
    keys,
    identity,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    trustProxy: config.trustProxy,
    seedFilesDir: join(config.seedsDir, config.city, "files"),
    uploadsDir: join(config.dataDir, "files"),
    maxUploadBytes: config.maxUploadBytes,
  });
  const server = createServer(app.callback());
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === "IPv6" ? "localhost" : address.address}:${address.port}`;
  await federationService.start();
  logger.info("serving", { url, origin: config.origin, city: config.city, data: config.dataDir });
  return {
    config,
    identity,
    orm,
    library,
    keys,
    search,
    federation: federationService,
    server,
    url,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await federationService.close();
      await queue.close();
      await search.close();
      await library.close();
      await renderPool.close();
      await orm.close();
    },
  };
}
