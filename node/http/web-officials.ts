import Router from "@koa/router";
import type { Context } from "koa";
import type { Orm } from "../db/orm.ts";
import type { Library, WriteResult } from "../library/library.ts";
import type { NodeIdentity } from "../library/identity.ts";
import { authenticatePassword } from "../db/accounts.ts";
import { renderMarkdown } from "../render/markdown.ts";
import { fieldsForType, type FieldSpec } from "../../web/forms/schema-fields.ts";
import {
  documentFromValues,
  keepChoiceOrder,
  valuesFromDocument,
  type FormValues,
} from "../../web/forms/form-values.ts";
import { renderItemForm, type Choice, type ItemFormView } from "../../web/templates/item-form.ts";
import { renderLoginPage } from "../../web/templates/login.ts";
import { renderDeletePage, renderNewItemPage } from "../../web/templates/publish.ts";
import { itemHref, typeLabel } from "../../web/templates/parts.ts";
import { formTextFor } from "../../web/forms/form-text.ts";
import { fill } from "../../web/i18n.ts";
import { DOCUMENT_TYPES } from "../../schemas/catalogue.ts";
import { HttpError } from "./errors.ts";
import { endSession, startUserSession } from "./session.ts";
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
}

const CONTROL_FIELDS = new Set(["_csrf", "_action", "_version", "next", "id"]);

/** A safe place to go after logging in: a path on this site, never another origin. */
function safeNext(raw: unknown): string {
  // Browsers drop tabs and newlines from URLs and read a backslash as a slash: "/\t/evil.example"
  // would become "//evil.example". One leading slash, then no whitespace or backslash.
  return typeof raw === "string" && /^\/(?![/\\])[^\s\\\x00-\x1f\x7f]*$/.test(raw) ? raw : "/";
}

function formValues(form: Record<string, string | string[]>): FormValues {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(form)) if (!CONTROL_FIELDS.has(k) && k.startsWith("/")) out[k] = v;
  return out;
}

function errorMap(details: readonly { path: string; message: string }[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const d of details) map.set(d.path, [...(map.get(d.path) ?? []), d.message]);
  return map;
}

/** Form values without a row (`remove:/outcomes/2`): everything under its pointer goes. */
function withoutRow(values: FormValues, rowPointer: string): FormValues {
  const out: Record<string, string | readonly string[]> = {};
  for (const [k, v] of Object.entries(values)) if (k !== rowPointer && !k.startsWith(`${rowPointer}/`)) out[k] = v;
  return out;
}

/** The most case studies the pathway form offers to choose from. */
const MAX_CASE_CHOICES = 500;

/** The case studies a pathway can export: this node's and verified peers', by title, as "title (city)". */
async function caseChoices(library: Library, format: (title: string, city: string) => string): Promise<Choice[]> {
  const { items } = await library.list({ type: "CaseStudy", limit: MAX_CASE_CHOICES });
  return items
    .filter((i) => i.local || i.verified)
    .map((i) => ({ value: i.id, label: format(i.title, i.city) }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

function markdownPreviews(fields: readonly FieldSpec[], values: FormValues): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of fields) {
    if (f.kind !== "markdown") continue;
    const v = values[`/${f.name}`];
    if (typeof v === "string" && v.trim()) out.set(`/${f.name}`, renderMarkdown(v));
  }
  return out;
}

/** Login and logout, and the officials' pages: publish, edit, delete, Markdown preview. */
export function createOfficialsRouter(deps: OfficialRoutesDeps): Router {
  const { library, identity, orm, web } = deps;
  const router = new Router();
  const frame = (ctx: Context, title: string, section?: Parameters<typeof frameFor>[3]) =>
    frameFor(ctx, identity.name, title, section);
  const official = requireUser(["editor", "admin"]);

  function renderLogin(ctx: Context, status: number, error?: string, username = ""): void {
    const f = frame(ctx, "Log in", "login");
    sendPage(
      ctx,
      status,
      renderLoginPage(
        { ...f, title: f.t.logIn },
        { error, username, next: safeNext(ctx.query.next ?? formOf(ctx).next) },
      ),
    );
  }

  router.get("/login", ...web.form, (ctx) => renderLogin(ctx, 200));
  router.post("/login", ...web.login, async (ctx) => {
    const form = formOf(ctx);
    const username = typeof form.username === "string" ? form.username.trim() : "";
    const password = typeof form.password === "string" ? form.password : "";
    const principal = username && password ? await authenticatePassword(orm, username, password) : null;
    if (!principal) return renderLogin(ctx, 401, stringsOf(ctx).loginFailed, username);
    await startUserSession(ctx, {
      username: principal.username ?? username,
      role: principal.role,
      name: principal.name,
    });
    ctx.status = 303;
    ctx.redirect(safeNext(form.next));
  });
  router.post("/logout", ...web.submit, (ctx) => {
    endSession(ctx);
    ctx.status = 303;
    ctx.redirect("/");
  });

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
        ? new Map([["/case", await caseChoices(library, (title, city) => fill(text.caseChoice, { title, city }))]])
        : undefined;
    sendPage(
      ctx,
      status,
      renderItemForm(
        { ...f, title: view.heading },
        { ...view, choices, fields: view.fields ?? fieldsForType(view.type) },
      ),
    );
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

  router.post("/official/new/:type", ...web.submit, official, async (ctx) => {
    const type = typeParam(ctx);
    const t = stringsOf(ctx);
    const fields = fieldsForType(type);
    const values = formValues(formOf(ctx));
    const base = {
      type,
      action: `/official/new/${type}`,
      mode: "new" as const,
      heading: `${t.newItem}: ${typeLabel(t, type)}`,
    };
    if (await handleFormAction(ctx, base, values, fields)) return;
    const result = await library.create(documentFromValues(type, fields, values), { author: userOf(ctx).name });
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

  router.post("/official/edit", ...web.submit, official, async (ctx) => {
    const item = await localItem(ctx);
    const t = stringsOf(ctx);
    const fields = fieldsForType(item.type);
    const values = formValues(formOf(ctx));
    const expected = Number(formOf(ctx)._version);
    const base = {
      type: item.type,
      action: `/official/edit?${new URLSearchParams({ id: item.id })}`,
      mode: "edit" as const,
      heading: `${t.editItem}: ${item.title}`,
      expectedVersion: Number.isInteger(expected) ? expected : item.version,
    };
    if (await handleFormAction(ctx, base, values, fields)) return;
    const doc = documentFromValues(item.type, fields, values);
    keepChoiceOrder(fields, item.document, doc);
    // Fields the form does not edit stay as they were (translations are edited beside the original).
    for (const keep of ["city", "country"]) if (item.document[keep] !== undefined) doc[keep] = item.document[keep];
    const result: WriteResult = await library.update(item.id, doc, {
      author: userOf(ctx).name,
      expectedVersion: base.expectedVersion,
    });
    if (!result.ok) {
      if (result.reason === "invalid")
        return await showForm(ctx, 400, { ...base, values, errors: errorMap(result.details) });
      if (result.reason === "conflict")
        return await showForm(ctx, 409, {
          ...base,
          expectedVersion: result.currentVersion,
          values,
          errors: new Map(),
          notice: t.conflict,
        });
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
  return router;
}
