import Router from "@koa/router";
import type { Context } from "koa";
import type { Orm } from "../db/orm.ts";
import type { Library, WriteResult } from "../library/library.ts";
import type { NodeIdentity } from "../library/identity.ts";
import { renderMarkdown } from "../render/markdown.ts";
import type { Drafts, DraftSaveResult } from "../library/drafts.ts";
import type { Uploads } from "../library/uploads.ts";
import { fieldsForType, type FieldSpec } from "../../web/forms/schema-fields.ts";
import {
  documentFromValues,
  keepChoiceOrder,
  valuesFromDocument,
  type FormValues,
} from "../../web/forms/form-values.ts";
import { renderItemForm, type ItemFormView } from "../../web/templates/item-form.ts";
import { formTextFor } from "../../web/forms/form-text.ts";
import { fill } from "../../web/i18n.ts";
import { renderDeletePage, renderNewItemPage } from "../../web/templates/publish.ts";
import { itemHref, typeLabel } from "../../web/templates/parts.ts";
import { DOCUMENT_TYPES } from "../../schemas/catalogue.ts";
import { HttpError } from "./errors.ts";
import {
  applyUploads,
  caseChoices,
  errorMap,
  KEPT_FIELDS,
  formValues,
  markdownPreviews,
  maxUploadMb,
  reshowRefusedWrite,
  withoutRow,
} from "./item-form-flow.ts";
import { createDraftsRouter } from "./web-drafts.ts";
import {
  formOf,
  frameFor,
  requireUser,
  sendPage,
  setFlash,
  stringsOf,
  userOf,
  type WebMiddleware,
} from "./web-context.ts";

/** Dependencies of the officials' pages. */
export interface OfficialRoutesDeps {
  readonly library: Library;
  readonly identity: NodeIdentity;
  readonly orm: Orm;
  readonly web: WebMiddleware;
  readonly drafts: Drafts;
  /** Stores dataset files; without it the forms have no file input. */
  readonly uploads?: Uploads;
}

/** The officials' pages: publish, edit, delete, Markdown preview (and drafts, web-drafts.ts). */
export function createOfficialsRouter(deps: OfficialRoutesDeps): Router {
  const { library, identity, web, drafts, uploads } = deps;
  const router = new Router();
  const frame = (ctx: Context, title: string, section?: Parameters<typeof frameFor>[3]) =>
    frameFor(ctx, identity.name, title, section);
  const official = requireUser(["editor", "admin"]);

  router.get("/official/new", ...web.form, official, (ctx) => {
    const f = frame(ctx, "Publish", "publish");
    sendPage(ctx, 200, renderNewItemPage({ ...f, title: f.t.newItem }));
  });

  async function showForm(
    ctx: Context,
    status: number,
    view: Omit<ItemFormView, "fields"> & { fields?: readonly FieldSpec[] },
  ): Promise<void> {
    const f = frame(ctx, view.heading, "publish");
    const text = formTextFor(f.locale).strings;
    // A pathway's case is chosen from the library, not typed as a URL.
    const choices =
      view.type === "Pathway"
        ? new Map([
            ["/case", await caseChoices(library, f.locale, (title, city) => fill(text.caseChoice, { title, city }))],
          ])
        : undefined;
    sendPage(
      ctx,
      status,
      renderItemForm(
        { ...f, title: view.heading },
        {
          ...view,
          choices,
          fields: view.fields ?? fieldsForType(view.type),
          drafts: view.drafts ?? { canSave: true, maxUploadMb: uploads ? maxUploadMb(uploads) : undefined },
        },
      ),
    );
  }

  /** Saves a form as a new draft and goes to it; re-shows the form when the draft cannot be kept. */
  async function saveDraft(
    ctx: Context,
    saved: Promise<DraftSaveResult>,
    form: Omit<ItemFormView, "errors" | "fields">,
  ): Promise<void> {
    const result = await saved;
    const t = stringsOf(ctx);
    if (!result.ok)
      return await showForm(ctx, result.reason === "too-large" ? 413 : 400, {
        ...form,
        errors: new Map(),
        notice: fill(t.draftTooLarge, { reason: result.message }),
      });
    setFlash(ctx, t.draftSavedFlash);
    ctx.status = 303;
    ctx.redirect(`/official/drafts/${result.draft.id}`);
  }

  /** The submitted values with this request's files applied; null when the form was re-shown for a refused file. */
  async function submittedValues(
    ctx: Context,
    base: Omit<ItemFormView, "values" | "errors" | "fields">,
  ): Promise<{ values: FormValues; notice?: string } | null> {
    const t = stringsOf(ctx);
    const applied = await applyUploads(
      ctx,
      { uploads, type: base.type, origin: identity.origin, t },
      formValues(formOf(ctx)),
    );
    if (applied.errors.size) {
      await showForm(ctx, applied.tooLarge ? 413 : 400, { ...base, values: applied.values, errors: applied.errors });
      return null;
    }
    return { values: applied.values, notice: applied.stored.join(" ") || undefined };
  }

  function typeParam(ctx: Context): string {
    const type = ctx.params.type;
    if (!type || !(DOCUMENT_TYPES as readonly string[]).includes(type))
      throw new HttpError(404, stringsOf(ctx).notFound);
    return type;
  }

  /** Handles preview, add-row and remove-row actions; true when the form was re-shown. */
  async function handleFormAction(
    ctx: Context,
    base: Omit<ItemFormView, "values" | "errors" | "fields">,
    values: FormValues,
    fields: readonly FieldSpec[],
  ): Promise<boolean> {
    const action = String(formOf(ctx)._action ?? "save");
    if (action === "preview") {
      await showForm(ctx, 200, { ...base, values, errors: new Map(), previews: markdownPreviews(fields, values) });
      return true;
    }
    if (action.startsWith("add:/")) {
      await showForm(ctx, 200, { ...base, values, errors: new Map(), addRow: action.slice(4) });
      return true;
    }
    if (action.startsWith("remove:/")) {
      await showForm(ctx, 200, { ...base, values: withoutRow(values, action.slice(7)), errors: new Map() });
      return true;
    }
    return false;
  }

  router.get("/official/new/:type", ...web.form, official, async (ctx) => {
    const type = typeParam(ctx);
    const t = stringsOf(ctx);
    await showForm(ctx, 200, {
      type,
      values: { "/language": frame(ctx, "").locale },
      errors: new Map(),
      action: `/official/new/${type}`,
      mode: "new",
      heading: `${t.newItem}: ${typeLabel(t, type)}`,
    });
  });

  router.post("/official/new/:type", ...web.upload, async (ctx) => {
    const type = typeParam(ctx);
    const t = stringsOf(ctx);
    const fields = fieldsForType(type);
    const given = {
      type,
      action: `/official/new/${type}`,
      mode: "new" as const,
      heading: `${t.newItem}: ${typeLabel(t, type)}`,
    };
    const submitted = await submittedValues(ctx, given);
    if (!submitted) return;
    const { values } = submitted;
    const base = { ...given, notice: submitted.notice };
    if (await handleFormAction(ctx, base, values, fields)) return;
    const document = documentFromValues(type, fields, values);
    if (formOf(ctx)._action === "draft")
      return saveDraft(ctx, drafts.create({ type, document }, userOf(ctx)), { ...base, values });
    const result = await library.create(document, { author: userOf(ctx).name });
    if (!result.ok)
      return await showForm(ctx, 400, {
        ...base,
        values,
        errors: errorMap(result.reason === "invalid" ? result.details : [{ path: "", message: result.reason }]),
      });
    setFlash(ctx, t.publishedFlash);
    ctx.status = 303;
    ctx.redirect(itemHref(result.item.id, identity.origin));
  });

  async function localItem(ctx: Context) {
    const id = typeof ctx.query.id === "string" ? ctx.query.id : "";
    const item = id ? await library.get(id) : null;
    if (!item || item.deleted) throw new HttpError(404, stringsOf(ctx).notFound);
    if (!item.local) throw new HttpError(403, stringsOf(ctx).notLocal);
    return item;
  }

  router.get("/official/edit", ...web.form, official, async (ctx) => {
    const item = await localItem(ctx);
    const t = stringsOf(ctx);
    const fields = fieldsForType(item.type);
    await showForm(ctx, 200, {
      type: item.type,
      fields,
      values: valuesFromDocument(fields, item.document),
      errors: new Map(),
      action: `/official/edit?${new URLSearchParams({ id: item.id })}`,
      mode: "edit",
      heading: `${t.editItem}: ${item.title}`,
      expectedVersion: item.version,
    });
  });

  router.post("/official/edit", ...web.upload, async (ctx) => {
    const item = await localItem(ctx);
    const t = stringsOf(ctx);
    const fields = fieldsForType(item.type);
    const expected = Number(formOf(ctx)._version);
    const given = {
      type: item.type,
      action: `/official/edit?${new URLSearchParams({ id: item.id })}`,
      mode: "edit" as const,
      heading: `${t.editItem}: ${item.title}`,
      expectedVersion: Number.isInteger(expected) ? expected : item.version,
    };
    const submitted = await submittedValues(ctx, given);
    if (!submitted) return;
    const { values } = submitted;
    const base = { ...given, notice: submitted.notice };
    if (await handleFormAction(ctx, base, values, fields)) return;
    const doc = documentFromValues(item.type, fields, values);
    keepChoiceOrder(fields, item.document, doc);
    // Fields the form does not edit stay as they were.
    for (const keep of KEPT_FIELDS) if (item.document[keep] !== undefined) doc[keep] = item.document[keep];
    if (formOf(ctx)._action === "draft")
      return saveDraft(
        ctx,
        drafts.create(
          { type: item.type, document: doc, itemId: item.id, baseVersion: base.expectedVersion },
          userOf(ctx),
        ),
        { ...base, values },
      );
    const result: WriteResult = await library.update(item.id, doc, {
      author: userOf(ctx).name,
      expectedVersion: base.expectedVersion,
    });
    if (!result.ok) {
      if (await reshowRefusedWrite(showForm, ctx, result, base, values, t.conflict)) return;
      throw new HttpError(
        result.reason === "not-local" ? 403 : 404,
        result.reason === "not-local" ? t.notLocal : t.notFound,
      );
    }
    setFlash(ctx, t.updatedFlash);
    ctx.status = 303;
    ctx.redirect(itemHref(item.id, identity.origin));
  });

  router.get("/official/delete", ...web.form, official, async (ctx) => {
    const item = await localItem(ctx);
    const f = frame(ctx, item.title, "publish");
    sendPage(
      ctx,
      200,
      renderDeletePage(
        { ...f, title: `${f.t.delete}: ${item.title}` },
        {
          title: item.title,
          version: item.version,
          action: `/official/delete?${new URLSearchParams({ id: item.id })}`,
          cancelHref: itemHref(item.id, identity.origin),
        },
      ),
    );
  });

  router.post("/official/delete", ...web.submit, official, async (ctx) => {
    const item = await localItem(ctx);
    const t = stringsOf(ctx);
    const expected = Number(formOf(ctx)._version);
    const result = await library.remove(item.id, {
      author: userOf(ctx).name,
      expectedVersion: Number.isInteger(expected) ? expected : undefined,
    });
    if (!result.ok)
      throw new HttpError(
        result.reason === "conflict" ? 409 : 400,
        result.reason === "conflict" ? t.conflict : result.reason,
      );
    setFlash(ctx, t.deletedFlash);
    ctx.status = 303;
    ctx.redirect("/");
  });

  /** Markdown preview for the form's script: the sanitized HTML the item page would show. */
  router.post("/official/preview", ...web.submit, official, (ctx) => {
    const markdown = formOf(ctx).markdown;
    ctx.type = "text/html; charset=utf-8";
    ctx.set("Cache-Control", "no-store");
    ctx.body = typeof markdown === "string" ? renderMarkdown(markdown.slice(0, 200_000)) : "";
  });
  const draftRoutes = createDraftsRouter({
    library,
    identity,
    web,
    drafts,
    uploadMb: uploads ? maxUploadMb(uploads) : undefined,
    showForm,
    submittedValues,
    handleFormAction,
  });
  router.use(draftRoutes.routes(), draftRoutes.allowedMethods());
  return router;
}
