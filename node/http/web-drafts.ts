import Router from "@koa/router";
import type { Context } from "koa";
import type { Draft, Drafts } from "../library/drafts.ts";
import type { NodeIdentity } from "../library/identity.ts";
import type { Library } from "../library/library.ts";
import {
  documentFromValues,
  keepChoiceOrder,
  valuesFromDocument,
  type FormValues,
} from "../../web/forms/form-values.ts";
import { fieldsForType, type FieldSpec } from "../../web/forms/schema-fields.ts";
import { fill } from "../../web/i18n.ts";
import { renderDraftsPage } from "../../web/templates/drafts.ts";
import type { ItemFormView } from "../../web/templates/item-form.ts";
import { itemHref, typeLabel } from "../../web/templates/parts.ts";
import { HttpError } from "./errors.ts";
import { KEPT_FIELDS, reshowRefusedWrite, type ShowForm } from "./item-form-flow.ts";
import {
  frameFor,
  formOf,
  requireUser,
  sendPage,
  setFlash,
  stringsOf,
  userOf,
  type WebMiddleware,
} from "./web-context.ts";

type FormBase = Omit<ItemFormView, "values" | "errors" | "fields">;

/** What the drafts pages take from the officials' router: its form helpers. */
export interface DraftRoutesDeps {
  readonly library: Library;
  readonly identity: NodeIdentity;
  readonly web: WebMiddleware;
  readonly drafts: Drafts;
  readonly uploadMb?: number;
  readonly showForm: ShowForm;
  readonly submittedValues: (ctx: Context, base: FormBase) => Promise<{ values: FormValues; notice?: string } | null>;
  readonly handleFormAction: (
    ctx: Context,
    base: FormBase,
    values: FormValues,
    fields: readonly FieldSpec[],
  ) => Promise<boolean>;
}

/**
 * "My drafts" and a draft's form: resume, save again, publish (the library's full publish),
 * discard. A draft is found only by the official who made it and by admins; anyone else,
 * logged in or not, gets the same 404 as for a draft that does not exist.
 */
export function createDraftsRouter(deps: DraftRoutesDeps): Router {
  const { library, identity, web, drafts, showForm } = deps;
  const router = new Router();
  const official = requireUser(["editor", "admin"]);

  async function draftOf(ctx: Context): Promise<Draft> {
    const draft = await drafts.get(ctx.params.id ?? "", userOf(ctx));
    if (!draft) throw new HttpError(404, stringsOf(ctx).notFound);
    return draft;
  }

  /** The form of a draft: a new item's, or the pending edits of a published one (with what changed since). */
  async function formBase(ctx: Context, draft: Draft): Promise<FormBase> {
    const t = stringsOf(ctx);
    const base: FormBase = {
      type: draft.type,
      action: `/official/drafts/${draft.id}`,
      mode: draft.itemId ? "edit" : "new",
      heading: fill(t.draftHeading, { title: draft.title || `${t.untitled} ${typeLabel(t, draft.type)}` }),
      drafts: {
        canSave: true,
        discardAction: `/official/drafts/${draft.id}/discard`,
        maxUploadMb: deps.uploadMb,
      },
    };
    if (!draft.itemId) return base;
    const item = await library.get(draft.itemId);
    if (!item || item.deleted) return { ...base, notice: t.draftGone };
    const stale = draft.baseVersion !== null && item.version !== draft.baseVersion;
    // The form publishes over the version it shows: the official has been told it moved on.
    return {
      ...base,
      expectedVersion: item.version,
      notice: stale ? fill(t.draftStale, { current: item.version, base: draft.baseVersion ?? 0 }) : undefined,
    };
  }

  router.get("/official/drafts", ...web.form, official, async (ctx) => {
    const user = userOf(ctx);
    const list = await drafts.list(user);
    const f = frameFor(ctx, identity.name, "", "publish");
    const all = user.role === "admin";
    sendPage(
      ctx,
      200,
      renderDraftsPage(
        { ...f, title: all ? f.t.nodeDrafts : f.t.myDrafts },
        {
          all,
          drafts: list.map((d) => ({
            id: d.id,
            type: d.type,
            title: d.title,
            edits: d.itemId !== null,
            ownerName: d.ownerName,
            updatedAt: d.updatedAt,
          })),
        },
      ),
    );
  });

  router.get("/official/drafts/:id", ...web.form, official, async (ctx) => {
    const draft = await draftOf(ctx);
    const fields = fieldsForType(draft.type);
    await showForm(ctx, 200, {
      ...(await formBase(ctx, draft)),
      fields,
      values: valuesFromDocument(fields, draft.document),
      errors: new Map(),
    });
  });

  router.post("/official/drafts/:id", ...web.upload, async (ctx) => {
    const draft = await draftOf(ctx);
    const t = stringsOf(ctx);
    const user = userOf(ctx);
    const fields = fieldsForType(draft.type);
    const shown = await formBase(ctx, draft);
    const expected = Number(formOf(ctx)._version);
    const given = { ...shown, expectedVersion: Number.isInteger(expected) ? expected : shown.expectedVersion };
    const submitted = await deps.submittedValues(ctx, given);
    if (!submitted) return;
    const { values } = submitted;
    const base = { ...given, notice: submitted.notice ?? given.notice };
    if (await deps.handleFormAction(ctx, base, values, fields)) return;
    const document = documentFromValues(draft.type, fields, values);
    keepChoiceOrder(fields, draft.document, document);
    for (const keep of KEPT_FIELDS) if (draft.document[keep] !== undefined) document[keep] = draft.document[keep];
    // Whatever happens next, what was typed is kept in the draft.
    const saved = await drafts.update(draft.id, document, user);
    if (!saved.ok)
      return await showForm(ctx, saved.reason === "too-large" ? 413 : 400, {
        ...base,
        values,
        errors: new Map(),
        notice: fill(t.draftTooLarge, { reason: saved.message }),
      });
    if (formOf(ctx)._action === "draft") {
      setFlash(ctx, t.draftSavedFlash);
      ctx.status = 303;
      ctx.redirect(`/official/drafts/${draft.id}`);
      return;
    }
    const result = await drafts.publish(draft.id, user, { expectedVersion: base.expectedVersion });
    if (!result.ok) {
      if (await reshowRefusedWrite(showForm, ctx, result, base, values, t.conflict)) return;
      if (result.reason === "no-draft") throw new HttpError(404, t.notFound);
      return await showForm(ctx, 409, { ...base, values, errors: new Map(), notice: t.draftGone });
    }
    setFlash(ctx, draft.itemId ? t.updatedFlash : t.publishedFlash);
    ctx.status = 303;
    ctx.redirect(itemHref(result.item.id, identity.origin));
  });

  router.post("/official/drafts/:id/discard", ...web.upload, async (ctx) => {
    const t = stringsOf(ctx);
    if (!(await drafts.discard(ctx.params.id ?? "", userOf(ctx)))) throw new HttpError(404, t.notFound);
    setFlash(ctx, t.draftDiscardedFlash);
    ctx.status = 303;
    ctx.redirect("/official/drafts");
  });
  return router;
}
