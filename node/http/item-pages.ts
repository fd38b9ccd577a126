import Router from "@koa/router";
import type { Context } from "koa";
import type { Library, LinkingGroup, StoredItem, VersionInfo } from "../library/library.ts";
import type { NodeIdentity } from "../library/identity.ts";
import { jwsKeyId } from "../signing/jws.ts";
import { renderNotFoundPage } from "../../web/templates/message.ts";
import { renderItemPage } from "../../web/templates/item.ts";
import { renderComparePage } from "../../web/templates/item-diff.ts";
import type { ItemAddress, LinkedItem, LinkingList } from "../../web/templates/item-parts.ts";
import type { PageFrame } from "../../web/templates/layout.ts";
import { cityHref, itemHref, localSlug, safeHost } from "../../web/templates/parts.ts";
import { cityOf } from "../search/documents.ts";
import { currentUser } from "./session.ts";
import { frameFor, sendPage, type WebMiddleware } from "./web-context.ts";
import type { OriginNames } from "./origin-names.ts";
import type { ShareStore } from "../db/share-store.ts";
import { intParam, textParam } from "./params.ts";
import { adoptionsOfCase } from "./adoption-lists.ts";
import { citationContext } from "./api-citation.ts";
import { citeItem } from "../outputs/citation.ts";
import type { CiteView } from "../../web/templates/cite.ts";
import { datasetPreviews, type DatasetPreviewDeps } from "./dataset-previews.ts";

/** Dependencies of the item pages. */
export interface ItemPagesDeps {
  readonly library: Library;
  readonly identity: NodeIdentity;
  /** Names of the origins that signed items (pages.ts builds it once). */
  readonly names: OriginNames;
  readonly web: WebMiddleware;
  /** Shares (boosts) of local items on the fediverse, counted on their pages. */
  readonly shares?: ShareStore;
  /** Where the files this node serves are, for dataset previews. */
  readonly files?: Omit<DatasetPreviewDeps, "identity">;
}

/** How many items of each type an item's page lists among those linking to it. */
const LINKING_PER_TYPE = 10;
/** At most this many linked items are read for one page. */
const MAX_LINKED = 50;

/** Whether the client asked for JSON rather than a page. */
function wantsJson(ctx: Context): boolean {
  return ctx.accepts("text/html", "application/json") === "application/json";
}

/** The title a document carries in the reader's language, if it has a translation for it. */
export function titleIn(item: StoredItem, locale: string): string {
  const translated = (item.document.translations as Record<string, { title?: unknown }> | undefined)?.[locale]?.title;
  return item.language !== locale && typeof translated === "string" ? translated : item.title;
}

/**
 * The item pages: an item (local or a peer's) at its current version, any past version
 * (`?version=N`), a comparison of two versions (`?from=A&to=B`), and a deleted item headed
 * with its last title.
 */
export function createItemPagesRouter(deps: ItemPagesDeps): Router {
  const { library, identity, names, web } = deps;
  const router = new Router();

  function notFound(ctx: Context): void {
    const f = frameFor(ctx, identity.name, "404");
    sendPage(ctx, 404, renderNotFoundPage({ ...f, title: f.t.notFound }));
  }

  /** Where this node shows the item, as links to its versions need it. */
  function addressOf(id: string): ItemAddress {
    const slug = localSlug(id, identity.origin);
    return slug ? { path: `/items/${slug}` } : { path: "/library/item", id };
  }

  /**
   * The items this one links to (its links, case and related cases) and those that link to
   * it, with titles in the reader's language: one read of at most {@link MAX_LINKED} items.
   */
  async function related(
    item: StoredItem,
    groups: readonly LinkingGroup[],
    locale: string,
  ): Promise<{ linked: Map<string, LinkedItem>; linking: Map<string, LinkingList> }> {
    const d = item.document;
    const ids = new Set<string>();
    for (const l of Array.isArray(d.links) ? d.links : []) if (typeof l?.href === "string") ids.add(l.href);
    if (typeof d.case === "string") ids.add(d.case);
    if (typeof d.adaptedFrom === "string") ids.add(d.adaptedFrom);
    for (const id of Array.isArray(d.relatedCases) ? d.relatedCases : []) if (typeof id === "string") ids.add(id);
    // Only those in another language than the reader's are read whole, for their translated title.
    const incoming = groups.flatMap((g) => g.items.filter((i) => i.language !== locale).map((i) => i.id));
    const wanted = [...new Set([...[...ids].slice(0, MAX_LINKED), ...incoming])];
    const found = await library.getMany(wanted).catch(() => new Map<string, StoredItem>());
    const linked = new Map<string, LinkedItem>();
    for (const id of ids) {
      const l = found.get(id);
      if (l && !l.deleted)
        linked.set(id, { href: itemHref(id, identity.origin), title: titleIn(l, locale), type: l.type });
    }
    const linking = new Map<string, LinkingList>();
    for (const g of groups)
      linking.set(g.type, {
        total: g.total,
        items: g.items.map((i) => {
          const stored = found.get(i.id);
          const title = stored ? titleIn(stored, locale) : i.title;
          return {
            id: i.id,
            href: itemHref(i.id, identity.origin),
            title,
            type: i.type,
            lang: title === i.title ? i.language : locale,
            from: i.local ? undefined : safeHost(i.origin),
          };
        }),
      });
    return { linked, linking };
  }

  async function showCompare(
    ctx: Context,
    f: PageFrame,
    id: string,
    head: StoredItem,
    history: readonly VersionInfo[],
    range: { from: number; to: number },
  ): Promise<void> {
    const [a, b] = await Promise.all([library.get(id, range.from), library.get(id, range.to)]);
    if (!a || !b) return notFound(ctx);
    const createdAt = (v: number) => history.find((h) => h.version === v)?.createdAt ?? "";
    const title = typeof b.document.title === "string" ? b.document.title : head.title || id;
    sendPage(
      ctx,
      200,
      renderComparePage(f, {
        type: head.type,
        title,
        address: addressOf(id),
        from: { version: a.version, createdAt: createdAt(a.version), document: a.document },
        to: { version: b.version, createdAt: createdAt(b.version), document: b.document },
        versions: history.filter((h) => !h.deleted).map((h) => h.version),
      }),
    );
  }

  async function showItem(ctx: Context, id: string): Promise<void> {
    const version = intParam(ctx, "version", 1, Number.MAX_SAFE_INTEGER);
    const from = intParam(ctx, "from", 1, Number.MAX_SAFE_INTEGER);
    const to = intParam(ctx, "to", 1, Number.MAX_SAFE_INTEGER);
    const head = await library.get(id);
    if (!head) return notFound(ctx);
    const history = (await library.versions(id)) ?? [];
    const user = currentUser(ctx);
    const f = frameFor(ctx, identity.name, head.title);
    if (from !== undefined || to !== undefined) {
      // Missing ends default to the versions on either side: ?to=3 compares 2 with 3.
      const b = to ?? (from! < head.version ? from! + 1 : head.version);
      const a = from ?? Math.max(1, b - 1);
      return showCompare(ctx, f, id, head, history, { from: Math.min(a, b), to: Math.max(a, b) });
    }
    const past = version !== undefined && version !== head.version;
    const item = past ? await library.get(id, version) : head;
    if (!item) return notFound(ctx);
    const current = !past && !head.deleted;
    const [groups, origins, shares, adoptedBy] = await Promise.all([
      // What links to an item is about the item now: past versions' pages leave it out.
      current ? library.linkingTo(id, LINKING_PER_TYPE) : Promise.resolve([]),
      names.of([item.origin]),
      item.local && deps.shares ? deps.shares.count(id) : Promise.resolve(0),
      current && item.type === "CaseStudy"
        ? adoptionsOfCase({ library, identity, names }, id, f.locale)
        : Promise.resolve(undefined),
    ]);
    const { linked, linking } = await related(item, groups, f.locale);
    const signer = item.local ? identity.name : (origins.get(item.origin)?.label ?? item.origin);
    const deletedEntry = head.deleted ? history[0] : undefined;
    const [citation, previews] = item.deleted
      ? [undefined, []]
      : await Promise.all([citeView(item, past), datasetPreviews(item, { identity, ...deps.files })]);
    sendPage(
      ctx,
      item.deleted ? 410 : 200,
      renderItemPage(f, {
        id,
        type: item.type,
        document: item.document,
        html: item.html,
        deleted: item.deleted,
        linked,
        linking,
        shares,
        original: ctx.query.original === "1",
        adoptedBy,
        path: f.url.replace(/[?&]original=1/, ""),
        past: past
          ? {
              version: item.version,
              total: head.version,
              createdAt: history.find((h) => h.version === item.version)?.createdAt ?? "",
              deletedSince: head.deleted,
            }
          : undefined,
        deletion:
          item.deleted && deletedEntry
            ? {
                title: head.title,
                date: typeof head.document.deleted === "string" ? head.document.deleted : deletedEntry.createdAt,
                by: signer,
                lastVersion: head.version > 1 ? head.version - 1 : undefined,
              }
            : undefined,
        citation,
        previews,
        actions:
          user && item.local && !item.deleted && !past
            ? {
                edit: `/official/edit?${new URLSearchParams({ id })}`,
                delete: `/official/delete?${new URLSearchParams({ id })}`,
              }
            : undefined,
        provenance: {
          id,
          city: signer,
          cityHref: cityHref(cityOf(item)),
          origin: item.origin,
          local: item.local,
          verified: item.verified || item.local,
          kid: item.provenance?.kid ?? jwsKeyId(item.jws),
          via: item.provenance?.via,
          receivedAt: item.provenance?.receivedAt,
          // Authors (user and token names) only for the city's signed-in officials.
          history: history.map((h) => (user ? h : { ...h, author: "" })),
          address: addressOf(id),
          shown: item.version,
        },
      }),
    );
  }

  /** The "Cite this" box of the version shown: the APA reference and its downloads. */
  async function citeView(item: StoredItem, past: boolean): Promise<CiteView> {
    const context = await citationContext(item, { identity, names });
    const href = (format: string) =>
      `/api/items/citation?${new URLSearchParams({ id: item.id, format, ...(past ? { version: String(item.version) } : {}) })}`;
    return {
      text: citeItem(item, context, "text").body.trim(),
      downloads: [
        { label: "BibTeX", href: href("bibtex") },
        { label: "RIS", href: href("ris") },
        { label: "CSL-JSON", href: href("csl-json") },
      ],
    };
  }

  router.get("/items/:slug", ...web.page, async (ctx) => {
    const id = `${identity.origin}/items/${ctx.params.slug}`;
    if (wantsJson(ctx)) {
      const item = await library.get(id);
      ctx.set("Vary", "Accept");
      if (!item) {
        ctx.status = 404;
        ctx.body = { error: "no such item" };
        return;
      }
      ctx.status = item.deleted ? 410 : 200;
      ctx.body = { document: item.document, jws: item.jws, origin: item.origin, verified: item.verified };
      return;
    }
    await showItem(ctx, id);
  });

  router.get("/library/item", ...web.page, async (ctx) => {
    const id = textParam(ctx, "id");
    if (!id) return notFound(ctx);
    // Our own items live at /items/<slug>: redirect only to a path built here from a valid
    // slug, never to the request's value (an id with `/../..//evil.example` in it was an
    // open redirect). Anything else under our origin is no item of ours. The version and
    // comparison parameters go along, as numbers checked here.
    if (id.startsWith(`${identity.origin}/`)) {
      const slug = localSlug(id, identity.origin);
      if (!slug) return notFound(ctx);
      const qs = new URLSearchParams();
      for (const name of ["version", "from", "to"]) {
        const n = intParam(ctx, name, 1, Number.MAX_SAFE_INTEGER);
        if (n !== undefined) qs.set(name, String(n));
      }
      return ctx.redirect(`/items/${slug}${qs.size ? `?${qs}` : ""}`);
    }
    await showItem(ctx, id);
  });

  return router;
}
