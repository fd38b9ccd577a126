import type { FieldSpec } from "./schema-fields.ts";

/** One section of a form: a fieldset with a legend, holding top-level fields in this order. */
export interface FormSection {
  /** The section's key; its heading is `Type:key` in the form text. */
  readonly key: string;
  readonly fields: readonly FieldSpec[];
  /**
   * Whether the form may fold the section away while it is unused: no field in it is needed,
   * and it is not the item's first section or its links and tags.
   */
  readonly foldable: boolean;
}

const NEVER_FOLDED = new Set(["about", "links"]);

// Each type's form in the order an official tells the story; the names are schema properties.
const LAYOUT: Readonly<Record<string, ReadonlyArray<readonly [string, readonly string[]]>>> = {
  CaseStudy: [
    ["about", ["title", "summary", "language", "status", "startYear", "endYear"]],
    ["story", ["problem", "approach", "body"]],
    ["results", ["outcomes", "lessons", "timeline"]],
    ["people", ["stakeholders", "technologies", "costs", "contact"]],
    ["links", ["themes", "sdgs", "tags", "license", "adaptedFrom", "links"]],
  ],
  Pathway: [
    ["about", ["title", "summary", "language", "case"]],
    ["needs", ["prerequisites", "readiness", "suitedFor"]],
    ["steps", ["body", "phases", "challenges", "costRange"]],
    ["links", ["themes", "tags", "license", "links"]],
  ],
  Dataset: [
    ["about", ["title", "summary", "language", "publisher", "contactPoint", "landingPage"]],
    ["data", ["distributions", "accrualPeriodicity", "issued", "modified"]],
    ["coverage", ["spatial", "temporal", "body"]],
    ["links", ["themes", "keywords", "tags", "license", "relatedCases", "links"]],
  ],
  Adoption: [
    ["about", ["title", "summary", "language", "case", "pathway", "status", "started", "statusDate"]],
    ["progress", ["adaptations", "outcomes", "lessons", "body", "assessment"]],
    ["city", ["profile", "contact"]],
    ["links", ["themes", "tags", "license", "links"]],
  ],
};

/**
 * A type's fields in sections. A field the layout does not name (a property a later schema
 * version adds) goes to a last section, "More", so no field is ever left out of the form.
 */
export function sectionsFor(type: string, fields: readonly FieldSpec[]): FormSection[] {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const placed = new Set<string>();
  const sections: FormSection[] = [];
  for (const [key, names] of LAYOUT[type] ?? []) {
    const list = names.flatMap((n) => {
      const field = byName.get(n);
      if (!field) return [];
      placed.add(n);
      return [field];
    });
    if (list.length) sections.push({ key, fields: list, foldable: foldable(key, list) });
  }
  const rest = fields.filter((f) => !placed.has(f.name));
  if (rest.length) sections.push({ key: "more", fields: rest, foldable: foldable("more", rest) });
  return sections;
}

function foldable(key: string, fields: readonly FieldSpec[]): boolean {
  return !NEVER_FOLDED.has(key) && fields.every((f) => !f.required);
}
