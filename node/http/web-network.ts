import Router from "@koa/router";
import type { Library } from "../library/library.ts";
import type { NodeIdentity } from "../library/identity.ts";
import { renderNetworkPage } from "../../web/templates/network.ts";
import { adoptionEntries } from "./adoption-lists.ts";
import type { OriginNames } from "./origin-names.ts";
import { frameFor, sendPage, type WebMiddleware } from "./web-context.ts";

/** Dependencies of the network page. */
export interface NetworkPageDeps {
  readonly library: Library;
  readonly identity: NodeIdentity;
  readonly names: OriginNames;
  readonly web: WebMiddleware;
}

/** The most adoptions the network page draws: a readable drawing, a bounded read. */
const MAX_DRAWN = 300;

/** `/network`: which city adopts what from whom, from the verified adoptions this node holds. */
export function createNetworkRouter(deps: NetworkPageDeps): Router {
  const { library, identity, names, web } = deps;
  const router = new Router();
  router.get("/network", ...web.page, async (ctx) => {
    const f = frameFor(ctx, identity.name, "", "network");
    const { items } = await library.list({ type: "Adoption", limit: MAX_DRAWN });
    const entries = await adoptionEntries({ library, identity, names }, items, f.locale);
    sendPage(ctx, 200, renderNetworkPage({ ...f, title: f.t.networkTitle }, entries));
  });
  return router;
}
