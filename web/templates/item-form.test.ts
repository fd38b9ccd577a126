import { describe, expect, it } from "vitest";
import { fieldsForType } from "../forms/schema-fields.ts";
import { stringsFor } from "../i18n.ts";
import { errorPlace, fieldId, renderItemForm, type ItemFormView } from "./item-form.ts";
import type { PageFrame } from "./layout.ts";

const frame: PageFrame = { locale: "en", t: stringsFor("en"), title: "New", cityName: "Seoul", url: "/", csrf: "tok" };

function form(errors: Record<string, string[]>, locale: "en" | "ko" = "en"): string {
  const view: ItemFormView = {
    type: "CaseStudy",
    fields: fieldsForType("CaseStudy"),
    values: { "/title": "Open budget", "/sdgs": "11, 18", "/outcomes/0/value": "12" },
    errors: new Map(Object.entries(errors)),
    action: "/official/new/CaseStudy",
    mode: "new",
    heading: "New case study",
  };
  return renderItemForm({ ...frame, locale, t: stringsFor(locale) }, view);
}

/** Every in-page link of the error summary, and the ids the page defines. */
function summaryTargets(page: string): { readonly hrefs: string[]; readonly ids: Set<string> } {
  const start = page.indexOf('class="error-summary"');
  const summary = page.slice(start, page.indexOf("</div>", start));
  const hrefs = [...summary.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);
  const ids = new Set([...page.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]!));
  return { hrefs, ids };
}

describe("errorPlace()", () => {
  const fields = fieldsForType("CaseStudy");

  it("keeps a pointer the form renders, including a field inside a row", () => {
    expect(errorPlace(fields, "/endYear")).toEqual({ pointer: "/endYear" });
    expect(errorPlace(fields, "/outcomes/2/metric")).toEqual({ pointer: "/outcomes/2/metric" });
  });

  it("puts an entry of a list at the list's field, with the entry's index", () => {
    expect(errorPlace(fields, "/sdgs/1")).toEqual({ pointer: "/sdgs", entry: 1 });
    expect(errorPlace(fields, "/tags/0")).toEqual({ pointer: "/tags", entry: 0 });
  });

  it("puts a property the form does not know at the object that holds it", () => {
    expect(errorPlace(fields, "/outcomes/0/colour")).toEqual({ pointer: "/outcomes/0" });
    expect(errorPlace(fields, "/colour")).toEqual({ pointer: "" });
  });
});

describe("renderItemForm() errors", () => {
  it("shows an invalid SDG at the SDGs field, saying which entry, and the summary links to that field", () => {
    const page = form({ "/sdgs/1": ["must be at most 17"] });
    expect(page).toContain(`<p class="error-message" id="${fieldId("/sdgs")}-error">entry 2: must be at most 17</p>`);
    const { hrefs, ids } = summaryTargets(page);
    expect(hrefs).toEqual([fieldId("/sdgs")]);
    for (const href of hrefs) expect(ids, href).toContain(href);
  });

  it("names the entry in Korean on a Korean form", () => {
    expect(form({ "/sdgs/0": ["must be at least 1"] }, "ko")).toContain("1번째 항목: must be at least 1");
  });

  it("gathers two entries' errors and the field's own at the one field", () => {
    const page = form({ "/sdgs": ["is a duplicate of item 0"], "/sdgs/3": ["must be at most 17"] });
    expect(page).toContain(`id="${fieldId("/sdgs")}-error">is a duplicate of item 0; entry 4: must be at most 17</p>`);
  });

  it("every link of the summary finds a field on the page, whatever the pointers", () => {
    const page = form({
      "/endYear": ["must not be before the start year"],
      "/outcomes/0/metric": ["is required"],
      "/tags/5": ["must not be empty"],
      "/nonsense/1": ["is not allowed"],
    });
    const { hrefs, ids } = summaryTargets(page);
    expect(hrefs).toHaveLength(4);
    for (const href of hrefs) expect(ids, href).toContain(href);
  });
});

describe("renderItemForm() draft and upload controls", () => {
  const base: ItemFormView = {
    type: "Dataset",
    fields: fieldsForType("Dataset"),
    values: { "/title": "Bus stops", "/distributions/0/title": "CSV" },
    errors: new Map(),
    action: "/official/drafts/d-1",
    mode: "new",
    heading: "Draft",
  };

  it("gives each distribution row a labelled file input and sends the form as multipart when the node stores files", () => {
    const page = renderItemForm(frame, { ...base, drafts: { canSave: true, maxUploadMb: 25 } });
    expect(page).toContain('enctype="multipart/form-data"');
    expect(page).toMatch(/<label for="f-distributions-0-file">Upload the file<\/label>/);
    expect(page).toContain('<input type="file" id="f-distributions-0-file" name="/distributions/0/file"');
    expect(page).toContain("at most 25 MB");
    expect(page).toContain(
      '<button type="submit" name="_action" value="draft" class="secondary">Save as draft</button>',
    );
  });

  it("has no file input, no multipart and no draft button when not asked, and a discard button for a saved draft", () => {
    const plain = renderItemForm(frame, base);
    expect(plain).not.toContain('type="file"');
    expect(plain).not.toContain("multipart");
    expect(plain).not.toContain("Save as draft");
    const saved = renderItemForm(frame, {
      ...base,
      drafts: { canSave: true, discardAction: "/official/drafts/d-1/discard" },
    });
    expect(saved).toContain('formaction="/official/drafts/d-1/discard"');
    expect(saved).not.toContain('type="file"');
  });
});
