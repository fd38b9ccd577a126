import Koa from "koa";
import type { Orm } from "./db/orm.ts";
import type { Library } from "./library/library.ts";
import type { NodeIdentity } from "./library/identity.ts";
import type { KeyStore } from "./signing/keys.ts";
import type { Logger } from "./log.ts";
import { errorMiddleware } from "./http/errors.ts";
import { createItemsRouter } from "./http/api-items.ts";
import { createAssessRouter } from "./http/api-assess.ts";
import { createExportRouter } from "./http/api-export.ts";
import { createCitationRouter } from "./http/api-citation.ts";
import { createOpenApiRouter } from "./http/api-openapi.ts";
import { createCatalogRouter } from "./http/catalog.ts";
import { createDiscoveryRouter } from "./http/discovery.ts";
import { createPagesRouter } from "./http/pages.ts";
import { createOfficialsRouter } from "./http/web-officials.ts";
import { createLoginRouter } from "./http/web-login.ts";
import { createAdminRouter } from "./http/web-admin.ts";
import { createAccountsRouter } from "./http/web-accounts.ts";
import { createWebMiddleware } from "./http/web-context.ts";
import { webSession } from "./http/session.ts";
import { createWellKnownRouter } from "./http/well-known.ts";
import { createFilesRouter } from "./http/files.ts";
import { createSearchRouter } from "./http/api-search.ts";
import { createFeedsRouter } from "./http/feeds.ts";
import { createOriginNames } from "./http/origin-names.ts";
import { createPeerStore } from "./db/peer-store.ts";
import type { SearchService } from "./search/service.ts";
import type { FederationService } from "./federation/service.ts";
import { federationBridge } from "./federation/bridge.ts";
import { createPeersRouter } from "./http/api-peers.ts";
import { noRoute, notFoundPages } from "./http/not-found.ts";
import { multipartForm } from "./http/multipart.ts";
import { createDraftsApiRouter } from "./http/api-drafts.ts";
import { createDraftStore } from "./db/draft-store.ts";
import { createFileStore } from "./db/file-store.ts";
import { createDrafts } from "./library/drafts.ts";
import { createUploads } from "./library/uploads.ts";
import { createAssessments } from "./library/assessments.ts";
import { createAssessmentStore } from "./db/assessment-store.ts";
import { sharedLimitsOf } from "./db/rate-limits.ts";
import { createAssessPagesRouter } from "./http/web-assess.ts";
import { adoptionPrefill } from "./http/adoption-prefill.ts";
import { createNetworkRouter } from "./http/web-network.ts";

/** Everything the HTTP app is built from. */
export interface AppDeps {
  readonly orm: Orm;
  readonly library: Library;
  readonly keys: KeyStore;
  readonly identity: NodeIdentity;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  /** Folder of files the seed datasets link to (`seeds/<city>/files`), if any. */
  readonly seedFilesDir?: string;
  /** The search index; without it `/api/search` is not served (some tests need no search). */
  readonly search?: SearchService;
  /** ActivityPub and peering; without it the node runs alone (unit tests). */
  readonly federationService?: FederationService;
  /** Where uploaded dataset files are kept (`<data>/files`); without it the forms take no files. */
  readonly uploadsDir?: string;
  /** Largest upload in bytes (default 25 MB). */
  readonly maxUploadBytes?: number;
  /** Behind one reverse proxy: the client address is the last X-Forwarded-For entry (default false). */
  readonly trustProxy?: boolean;
}

/** Builds the node's Koa application: error edge, security headers, then the routers. */
export function createApp(deps: AppDeps): Koa {
  // With a trusted proxy, only the entry it appended (the last) is believed: the ones
  // before it are whatever the client sent.
  const app = new Koa({ proxy: deps.trustProxy ?? false, maxIpsCount: 1 });
  app.silent = true;
  app.use(errorMiddleware(deps.logger));
  app.use(async (ctx, next) => {
    ctx.set("X-Content-Type-Options", "nosniff");
    ctx.set("Referrer-Policy", "strict-origin-when-cross-origin");
    ctx.set("X-Frame-Options", "DENY");
    await next();
  });
  if (deps.federationService)
    app.use(
      federationBridge(
        deps.federationService.federation,
        deps.identity.origin,
        deps.federationService.door,
        deps.federationService.outboxPages,
      ),
    );
  // The web pages' session (koa-session over the database, bound to this app) and CSRF
  // stacks: applied route by route, so API and federation requests never load a session.
  const session = webSession(app, deps.orm, { secure: deps.identity.origin.startsWith("https:") });
  const uploads = deps.uploadsDir
    ? createUploads({ dir: deps.uploadsDir, maxBytes: deps.maxUploadBytes, files: createFileStore(deps.orm) })
    : undefined;
  // On PostgreSQL several processes serve the login form: failures are counted across all of them.
  const sharedLimits = sharedLimitsOf(deps.orm);
  const web = createWebMiddleware({
    session,
    cityName: deps.identity.name,
    multipart: uploads ? multipartForm({ uploads }) : undefined,
    sharedCounters: sharedLimits ? (name, max, windowMs) => sharedLimits.failures(name, max, windowMs) : undefined,
  });
  const drafts = createDrafts({ store: createDraftStore(deps.orm), library: deps.library });
  const assessments = createAssessments({ store: createAssessmentStore(deps.orm), library: deps.library });
  // Who signed an item, as exports, feeds and the adoption pages name it (pages.ts keeps its own).
  const names = createOriginNames({ identity: deps.identity, peers: createPeerStore(deps.orm) });
  const routers = [
    createWellKnownRouter(deps),
    // Before the items router: it takes `POST /api/items?draft=1` and passes on the rest.
    createDraftsApiRouter({ orm: deps.orm, drafts, maxBodyBytes: deps.maxBodyBytes }),
    createCitationRouter({ library: deps.library, identity: deps.identity, names }),
    createOpenApiRouter({ identity: deps.identity, web }),
    createItemsRouter(deps),
    createAssessRouter(deps),
    createExportRouter(deps),
    createCatalogRouter(deps),
    createDiscoveryRouter(deps),
    createPagesRouter({ ...deps, web, uploads }),
    createAssessPagesRouter({
      ...deps,
      web,
      assessments,
      names,
    }),
    createNetworkRouter({ ...deps, web, names }),
    createLoginRouter({ cityName: deps.identity.name, orm: deps.orm, web }),
    createOfficialsRouter({
      ...deps,
      web,
      drafts,
      uploads,
      prefill: adoptionPrefill({ library: deps.library, assessments }),
    }),
    ...(deps.federationService
      ? [createAdminRouter({ identity: deps.identity, federationService: deps.federationService, web })]
      : []),
    createAccountsRouter({ orm: deps.orm, cityName: deps.identity.name, web }),
    createFilesRouter({ ...deps, uploads }),
    ...(deps.search
      ? [
          createSearchRouter({ search: deps.search, library: deps.library, names }),
          createFeedsRouter({ search: deps.search, library: deps.library, identity: deps.identity, names }),
        ]
      : []),
    ...(deps.federationService
      ? [createPeersRouter({ orm: deps.orm, federationService: deps.federationService })]
      : []),
  ];
  app.use(notFoundPages({ cityName: deps.identity.name, page: web.page }));
  for (const router of routers) app.use(router.routes()).use(router.allowedMethods());
  app.use(noRoute());
  return app;
}
