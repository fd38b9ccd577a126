import Router from "@koa/router";
import type { Context } from "koa";
import type { Library, StoredItem } from "../library/library.ts";
import type { NodeIdentity } from "../library/identity.ts";
import type { Pathway } from "../library/documents.generated.ts";
import { assess } from "../library/assess.ts";
import { livePathway, type Assessments, type SavedAssessment } from "../library/assessments.ts";
import { fill, stringsFor, type Locale } from "../../web/i18n.ts";
import { adoptionStatus } from "../../web/templates/adoptions.ts";
import { renderAssessPage } from "../../web/templates/assess.ts";
import type { AssessedPathway, AssessView } from "../../web/templates/assess-parts.ts";
import { renderAssessmentsPage } from "../../web/templates/assessments.ts";
import { renderMessagePage, renderNotFoundPage } from "../../web/templates/message.ts";
import { itemHref } from "../../web/templates/parts.ts";
import { assessFields, assessHref, readAssessForm, type AssessFormReading } from "./assess-form.ts";
import type { OriginNames } from "./origin-names.ts";
import { textParam } from "./params.ts";
import { adoptionsOfCase, isSimilar } from "./adoption-lists.ts";
import { currentUser } from "./session.ts";
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

/** Dependencies of the assessment pages. */
export interface AssessPagesDeps {
  readonly library: Library;
  readonly identity: NodeIdentity;
  readonly names: OriginNames;
  readonly assessments: Assessments;
  readonly web: WebMiddleware;
}

/**
 * The readiness assessment in the browser: `/assess?pathway=URL&…` for anyone (the answers
 * live in the query string, nothing is stored), and the officials' saved assessments under
 * `/official/assessments` (private to the official who saved them; every form with CSRF).
 */
export function createAssessPagesRouter(deps: AssessPagesDeps): Router {
  const { library, identity, names, assessments, web } = deps;
  const router = new Router();
  const official = requireUser(["editor", "admin"]);

  function notFound(ctx: Context): void {
    const f = frameFor(ctx, identity.name, "404");
    sendPage(ctx, 404, renderNotFoundPage({ ...f, title: f.t.notFound }));
  }

  async function describe(item: StoredItem, locale: string): Promise<AssessedPathway> {
    const signer = item.local
      ? identity.name
      : ((await names.of([item.origin])).get(item.origin)?.label ?? item.origin);
    const translated = (item.document.translations as Record<string, { title?: unknown }> | undefined)?.[locale]?.title;
    return {
      id: item.id,
      href: itemHref(item.id, identity.origin),
      title: item.language !== locale && typeof translated === "string" ? translated : item.title,
      version: item.version,
      signer,
      document: item.document as unknown as Pathway,
    };
  }

  /** The parts of the page every assessment view shares: the reading, its score and similar adopters when complete. */
  async function scored(
    pathway: AssessedPathway,
    reading: AssessFormReading,
    showMissing: boolean,
    locale: Locale,
  ): Promise<Pick<AssessView, "pathway" | "values" | "missing" | "result" | "similar">> {
    const result = reading.input ? assess(pathway.document, reading.input) : undefined;
    const similar = result
      ? (await adoptionsOfCase({ library, identity, names }, pathway.document.case, locale))
          .filter((a) => isSimilar(reading.values.profile, a.profile))
          .map((a) => ({
            city: a.city,
            href: a.href,
            status: adoptionStatus(locale, a.status),
            date: a.date,
            population: a.profile?.population,
            incomeLevel: a.profile?.incomeLevel,
            provenance: fill(a.verified ? stringsFor(locale).signedValid : stringsFor(locale).signedUnverified, {
              city: a.city,
            }),
          }))
      : undefined;
    return { pathway, values: reading.values, missing: showMissing ? reading.missing : [], result, similar };
  }

  router.get("/assess", ...web.page, async (ctx) => {
    const id = textParam(ctx, "pathway", 2000);
    const item = id ? await livePathway(library, id) : null;
    if (!item) return notFound(ctx);
    const f = frameFor(ctx, identity.name, item.title);
    const pathway = await describe(item, f.locale);
    const reading = readAssessForm(pathway.document, (name) => textParam(ctx, name, 1000));
    const view = await scored(pathway, reading, reading.submitted, f.locale);
    const user = currentUser(ctx);
    sendPage(
      ctx,
      reading.submitted && reading.missing.length ? 400 : 200,
      renderAssessPage(
        { ...f, title: `${f.t.assessTitle}: ${pathway.title}` },
        {
          ...view,
          shareHref: view.result ? assessHref(pathway.id, reading.values) : undefined,
          form: { action: "/assess", method: "get" },
          save: user
            ? { action: "/official/assessments", fields: assessFields(pathway.id, reading.values) }
            : undefined,
        },
      ),
    );
  });

  router.get("/official/assessments", ...web.form, official, async (ctx) => {
    const f = frameFor(ctx, identity.name, "", "assessments");
    const list = await assessments.list(userOf(ctx).username);
    sendPage(
      ctx,
      200,
      renderAssessmentsPage(
        { ...f, title: f.t.myAssessments },
        list.map((a) => ({
          href: `/official/assessments/${a.id}`,
          pathwayTitle: a.pathwayTitle,
          city: a.input.profile.name,
          score: a.score,
          ready: a.ready,
          requiredGaps: a.requiredGaps,
          updatedAt: a.updatedAt,
        })),
      ),
    );
  });

  router.post("/official/assessments", ...web.submit, official, async (ctx) => {
    const form = formOf(ctx);
    const first = (name: string) => {
      const v = form[name];
      return typeof v === "string" ? v : v?.[0];
    };
    const item = await livePathway(library, first("pathway") ?? "");
    if (!item) return notFound(ctx);
    const reading = readAssessForm(item.document as unknown as Pathway, first);
    // The save form carries a complete report's answers: anything else goes back to the public page.
    if (!reading.input) return ctx.redirect(assessHref(item.id, reading.values));
    const saved = await assessments.save(userOf(ctx).username, item.id, reading.input);
    if (!saved.ok) return ctx.redirect(assessHref(item.id, reading.values));
    setFlash(ctx, stringsOf(ctx).assessmentSaved);
    ctx.status = 303;
    ctx.redirect(`/official/assessments/${saved.id}`);
  });

  /** A saved assessment's page: its report at the pathway's current version, its history, the form to update it. */
  async function showSaved(ctx: Context, saved: SavedAssessment, reading?: AssessFormReading): Promise<void> {
    const owner = userOf(ctx).username;
    const item = await livePathway(library, saved.pathwayId);
    const f = frameFor(ctx, identity.name, saved.pathwayTitle, "assessments");
    const history = await assessments.history(owner, saved.id);
    if (!item) {
      return sendPage(
        ctx,
        410,
        renderMessagePage(f, f.t.assessmentGone, { href: "/official/assessments", label: f.t.myAssessments }),
      );
    }
    const pathway = await describe(item, f.locale);
    const read = (name: string) => {
      const fields = new Map(assessFields(saved.pathwayId, saved.input));
      return fields.get(name);
    };
    const current = reading ?? readAssessForm(pathway.document, read);
    const stale = item.version !== saved.pathwayVersion;
    sendPage(
      ctx,
      reading ? 400 : 200,
      renderAssessPage(
        { ...f, title: `${f.t.assessTitle}: ${pathway.title}` },
        {
          ...(await scored(pathway, current, reading !== undefined || stale, f.locale)),
          shareHref: undefined,
          form: { action: `/official/assessments/${saved.id}`, method: "post" },
          saved: {
            updatedAt: saved.updatedAt,
            history,
            deleteAction: `/official/assessments/${saved.id}/delete`,
            notice: stale ? fill(f.t.assessmentStale, { old: saved.pathwayVersion, new: item.version }) : undefined,
            adopt: {
              href: `/official/new/Adoption?${new URLSearchParams({ assessment: saved.id })}`,
              withScore:
                saved.score === null
                  ? undefined
                  : `/official/new/Adoption?${new URLSearchParams({ assessment: saved.id, share: "1" })}`,
            },
          },
        },
      ),
    );
  }

  router.get("/official/assessments/:id", ...web.form, official, async (ctx) => {
    const saved = await assessments.get(userOf(ctx).username, ctx.params.id!);
    if (!saved) return notFound(ctx);
    await showSaved(ctx, saved);
  });

  router.post("/official/assessments/:id", ...web.submit, official, async (ctx) => {
    const owner = userOf(ctx).username;
    const saved = await assessments.get(owner, ctx.params.id!);
    if (!saved) return notFound(ctx);
    const item = await livePathway(library, saved.pathwayId);
    if (!item) return showSaved(ctx, saved);
    const form = formOf(ctx);
    const reading = readAssessForm(item.document as unknown as Pathway, (name) => {
      const v = form[name];
      return typeof v === "string" ? v : v?.[0];
    });
    if (!reading.input) return showSaved(ctx, saved, reading);
    const result = await assessments.save(owner, saved.pathwayId, reading.input, saved.id);
    if (!result.ok) return showSaved(ctx, saved, reading);
    setFlash(ctx, stringsOf(ctx).assessmentSaved);
    ctx.status = 303;
    ctx.redirect(`/official/assessments/${saved.id}`);
  });

  router.post("/official/assessments/:id/delete", ...web.submit, official, async (ctx) => {
    if (!(await assessments.remove(userOf(ctx).username, ctx.params.id!))) return notFound(ctx);
    setFlash(ctx, stringsOf(ctx).assessmentDeleted);
    ctx.status = 303;
    ctx.redirect("/official/assessments");
  });

  return router;
}
