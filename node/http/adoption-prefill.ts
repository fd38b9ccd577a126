import type { Context } from "koa";
import type { Library } from "../library/library.ts";
import type { Pathway } from "../library/documents.generated.ts";
import { assess } from "../library/assess.ts";
import { livePathway, type Assessments } from "../library/assessments.ts";
import { fieldsForType } from "../../web/forms/schema-fields.ts";
import { valuesFromDocument } from "../../web/forms/form-values.ts";
import { fill } from "../../web/i18n.ts";
import { currentUser } from "./session.ts";
import { localeOf, stringsOf } from "./web-context.ts";

/** Dependencies of {@link adoptionPrefill}. */
export interface AdoptionPrefillDeps {
  readonly library: Library;
  readonly assessments: Assessments;
}

/**
 * The new Adoption form's values from an official's saved assessment
 * (`/official/new/Adoption?assessment=ID`, `&share=1` to publish its score and gaps): the case
 * and pathway, status "considering", the city's profile. Nothing for any other request.
 */
export function adoptionPrefill(deps: AdoptionPrefillDeps) {
  return async (ctx: Context, type: string): Promise<Record<string, string | string[]>> => {
    const id = ctx.query.assessment;
    const user = currentUser(ctx);
    if (type !== "Adoption" || typeof id !== "string" || !user) return {};
    const saved = await deps.assessments.get(user.username, id);
    const item = saved && (await livePathway(deps.library, saved.pathwayId));
    if (!saved || !item) return {};
    const pathway = item.document as unknown as Pathway;
    const caseItem = await deps.library.get(pathway.case).catch(() => null);
    const t = stringsOf(ctx);
    const city = saved.input.profile.name ?? "";
    const caseTitle = caseItem && !caseItem.deleted ? caseItem.title : item.title;
    const { population, incomeLevel, region } = saved.input.profile;
    const document: Record<string, unknown> = {
      title: fill(t.adoptionDraftTitle, { city: city || "—", title: caseTitle }),
      summary: fill(t.adoptionDraftSummary, { title: caseTitle }),
      language: localeOf(ctx),
      case: pathway.case,
      pathway: item.id,
      status: "considering",
      statusDate: saved.updatedAt.slice(0, 10),
      ...(city ? { city } : {}),
      profile: { population, incomeLevel, region },
    };
    if (ctx.query.share === "1" && saved.score !== null) {
      // The gaps as the pathway's current version names them, from the saved answers.
      const gaps =
        item.version === saved.pathwayVersion
          ? assess(pathway, saved.input).gaps.map((g) => ({
              index: g.index,
              description: g.description,
              level: g.level,
              status: g.status,
            }))
          : [];
      document.assessment = {
        pathwayVersion: saved.pathwayVersion,
        assessed: saved.updatedAt.slice(0, 10),
        score: saved.score,
        ready: saved.ready,
        gaps,
      };
    }
    const values = valuesFromDocument(fieldsForType("Adoption"), document);
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : [...v]]));
  };
}
