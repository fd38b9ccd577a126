import { describe, expect, it } from "vitest";
import { fieldsForType } from "../forms/schema-fields.ts";
import { stringsFor } from "../i18n.ts";
import { errorPlace, fieldId, renderItemForm, type ItemFormView } from "./item-form.ts";
import { valuesFromDocument } from "../forms/form-values.ts";
import { readFileSync } from "node:fs";

/** The text of the label of the control with this id (tags stripped, spaces squeezed). */
function labelText(page: string, id: string): string {
  const m = new RegExp(`<label for="${id}">([\\s\\S]*?)</label>`).exec(page);
  return (m?.[1] ?? "")
    .replace(/<[^>]+>/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** The options of the select with this id, as [value, text] pairs. */
function selectOptions(page: string, id: string): [string, string][] {
  const m = new RegExp(`<select id="${id}"[^>]*>([\\s\\S]*?)</select>`).exec(page);
  return [...(m?.[1] ?? "").matchAll(/<option value="([^"]*)"[^>]*>([^<]*)<\/option>/g)].map((o) => [o[1]!, o[2]!]);
}

function seed(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../seeds/${path}`, import.meta.url), "utf8")) as Record<string, unknown>;
}
import type { PageFrame } from "./layout.ts";

const frame: PageFrame = { locale: "en", t: stringsFor("en"), title: "New", cityName: "Seoul", url: "/", csrf: "tok" };

function form(errors: Record<string, string[]>, locale: "en" | "ko" = "en", extra: Partial<ItemFormView> = {}): string {
  const view: ItemFormView = {
    type: "CaseStudy",
    fields: fieldsForType("CaseStudy"),
    values: { "/title": "Open budget", "/sdgs": ["11", "18"], "/outcomes/0/value": "12" },
    errors: new Map(Object.entries(errors)),
    action: "/official/new/CaseStudy",
    mode: "new",
    heading: "New case study",
    ...extra,
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
    expect(form({ "/sdgs/0": ["must be at least 1"] }, "ko")).toContain("1번째 항목: 최솟값은 1입니다.");
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

describe("renderItemForm() in plain words", () => {
  it("groups a case study in sections with legends, in the order an official tells it", () => {
    const page = form({});
    const legends = [...page.matchAll(/<span class="section-title">([^<]+)<\/span>/g)].map((m) => m[1]);
    expect(legends).toEqual([
      "About the case",
      "The story",
      "Results",
      "People, technology and costs",
      "Links and tags",
    ]);
    expect(page.indexOf('id="section-about"')).toBeLessThan(page.indexOf(`id="${fieldId("/title")}"`));
  });

  it("folds the sections that need nothing while they are empty, and opens one that holds anything", () => {
    const empty = form({}, "en", { values: {} });
    expect(empty).toContain('<details class="section-fold" id="section-results">');
    expect(empty).toContain('<details class="section-fold" id="section-people">');
    expect(empty).toContain('<fieldset class="section" id="section-about">');
    expect(empty).toContain('<fieldset class="section" id="section-story">');
    expect(empty).toContain('<fieldset class="section" id="section-links">');
    // A row being added without JavaScript, a value or an error opens the section.
    expect(form({}, "en", { values: {}, addRow: "/outcomes" })).toContain(
      '<fieldset class="section" id="section-results">',
    );
    expect(form({ "/contact/email": ["must be a valid email address"] }, "en", { values: {} })).toContain(
      '<fieldset class="section" id="section-people">',
    );
    const seeded = form({}, "en", {
      values: valuesFromDocument(fieldsForType("CaseStudy"), seed("seoul/case-mvoting.json")),
    });
    expect(seeded).toContain('<fieldset class="section" id="section-results">');
  });

  it("labels fields in plain words with examples, never with schema names or rules", () => {
    const page = form({});
    expect(labelText(page, fieldId("/contact/url"))).toBe("Web page");
    expect(labelText(page, fieldId("/startYear"))).toBe("Year it started");
    expect(page).toContain("Sustainable Development Goals");
    expect(page).not.toMatch(/>Sdgs<|>Url<|leading or trailing whitespace|1 to 300 characters|\(dcat:|\(dct:/);
    expect(page).toContain("such as “mVoting: residents vote on city questions from their phones”");
  });

  it("gives every hint in Korean on a Korean form", () => {
    const page = form({}, "ko");
    const hints = [...page.matchAll(/<p class="hint"[^>]*>([^<]+)</g)].map((m) => m[1]!);
    expect(hints.length).toBeGreaterThan(10);
    expect(hints.filter((h) => !/[가-힣]/.test(h))).toEqual([]);
    expect(labelText(page, fieldId("/startYear"))).toBe("시작 연도");
  });

  it("offers the language as a list of named languages whose values are language tags", () => {
    const options = selectOptions(form({}), fieldId("/language"));
    expect(options).toContainEqual(["ko", "Korean"]);
    expect(options).toContainEqual(["en", "English"]);
    expect(options).toContainEqual(["pt-BR", "Brazilian Portuguese"]);
    expect(selectOptions(form({}, "ko"), fieldId("/language"))).toContainEqual(["en", "영어"]);
  });

  it("offers themes and SDGs as named checkboxes, ticked as the document has them", () => {
    const page = form({});
    expect(page).toMatch(
      /<input type="checkbox" id="f-themes-\d+" name="\/themes" value="e-voting"> Voting online<\/label>/,
    );
    expect(page).toContain('name="/sdgs" value="11" checked> 11 Sustainable cities and communities</label>');
    expect(page).toContain('name="/sdgs" value="1"> 1 No poverty</label>');
    expect(form({}, "ko")).toContain('value="11" checked> 11 지속가능한 도시와 공동체</label>');
  });

  it("names the choices of every fixed list, such as how often a dataset is updated", () => {
    const page = renderItemForm(frame, {
      type: "Dataset",
      fields: fieldsForType("Dataset"),
      values: { "/accrualPeriodicity": "monthly" },
      errors: new Map(),
      action: "/official/new/Dataset",
      mode: "new",
      heading: "New dataset",
    });
    expect(selectOptions(page, fieldId("/accrualPeriodicity"))).toContainEqual(["monthly", "Every month"]);
    expect(page).toContain('<option value="monthly" selected>Every month</option>');
    expect(labelText(page, fieldId("/accrualPeriodicity"))).toBe("How often it is updated");
  });

  it("a pathway's case is chosen from the library by title and city, and an unknown current value stays chosen", () => {
    const view = (values: Record<string, string>): ItemFormView => ({
      type: "Pathway",
      fields: fieldsForType("Pathway"),
      values,
      errors: new Map(),
      action: "/official/new/Pathway",
      mode: "new",
      heading: "New pathway",
      choices: new Map([["/case", [{ value: "http://seoul.test/items/case-mvoting", label: "mVoting (Seoul)" }]]]),
    });
    const page = renderItemForm(frame, view({ "/case": "http://seoul.test/items/case-mvoting" }));
    expect(page).toContain('<option value="http://seoul.test/items/case-mvoting" selected>mVoting (Seoul)</option>');
    expect(page).not.toMatch(/<input type="url" id="f-case"/);
    const other = renderItemForm(frame, view({ "/case": "http://gone.test/items/x" }));
    expect(other).toContain('<option value="http://gone.test/items/x" selected>');
  });

  it("puts the Korean title and summary beside the English ones, filled from a seed", () => {
    const doc = seed("seoul/case-mvoting.json");
    const ko = (doc.translations as Record<string, { title: string; summary: string }>).ko!;
    const page = form({}, "en", { values: valuesFromDocument(fieldsForType("CaseStudy"), doc), mode: "edit" });
    expect(labelText(page, fieldId("/translations/ko/title"))).toBe("Title in Korean");
    expect(page).toContain(`name="/translations/ko/title" value="${ko.title}"`);
    expect(page).toContain(`name="/translations/ko/summary"`);
    const pair = page.slice(page.indexOf('<div class="pair">'), page.indexOf(fieldId("/summary")));
    expect(pair).toContain(fieldId("/title"));
    expect(pair).toContain(fieldId("/translations/ko/title"));
  });

  it("offers a Korean translation on a new form, and an English one when the text is in Korean", () => {
    expect(form({})).toContain('name="/translations/ko/title"');
    const ko = form({}, "ko", { values: { "/language": "ko" } });
    expect(ko).toContain('name="/translations/en/title"');
    expect(labelText(ko, fieldId("/translations/en/title"))).toBe("영어 제목");
  });

  it("says the library's messages in Korean on a Korean form, naming fields and choices as the form does", () => {
    const page = form({ "/body": ["is required"], "/endYear": ["must not be before the start year"] }, "ko");
    expect(page).toContain(`id="${fieldId("/body")}-error">꼭 입력해야 하는 항목입니다.</p>`);
    expect(page).toContain("종료 연도는 시작 연도보다 앞설 수 없습니다.");
    expect(page).toContain(">사례 본문</a>: 꼭 입력해야 하는 항목입니다.");
    const dataset = renderItemForm(
      { ...frame, locale: "ko", t: stringsFor("ko") },
      {
        type: "Dataset",
        fields: fieldsForType("Dataset"),
        values: { "/distributions/0/title": "예산" },
        errors: new Map([["/distributions/0", ["must have at least one of: accessURL, downloadURL"]]]),
        action: "/official/new/Dataset",
        mode: "new",
        heading: "새 데이터셋",
      },
    );
    expect(dataset).toContain("다음 중 하나 이상을 입력하세요: 열람 페이지 또는 서비스 주소, 내려받기 주소");
    // An English form keeps the library's words; a message the table does not know stays as written.
    expect(form({ "/body": ["is required"] })).toContain(`id="${fieldId("/body")}-error">is required</p>`);
    expect(form({ "/body": ["is odd"] }, "ko")).toContain(">is odd</p>");
  });

  it("shows a translation's error at its field, and the summary links there", () => {
    const page = form({ "/translations/ko/summary": ["is required"] });
    expect(page).toContain(`id="${fieldId("/translations/ko/summary")}-error">is required</p>`);
    const { hrefs, ids } = summaryTargets(page);
    expect(hrefs).toEqual([fieldId("/translations/ko/summary")]);
    for (const href of hrefs) expect(ids, href).toContain(href);
    expect(page).toContain(">Summary in Korean</a>: is required");
  });

  it("each list has a row template for adding in place, and each row a remove button that works without JavaScript", () => {
    const page = form({});
    expect(page).toContain('<template data-row-template="XROW0X">');
    expect(page).toContain('name="/outcomes/XROW0X/metric"');
    expect(page).toContain('value="remove:/outcomes/0"');
    expect(page).toContain('value="add:/outcomes" class="secondary small" data-add-row>Add another: Result</button>');
    const pathway = renderItemForm(frame, {
      type: "Pathway",
      fields: fieldsForType("Pathway"),
      values: {},
      errors: new Map(),
      action: "/official/new/Pathway",
      mode: "new",
      heading: "New pathway",
    });
    // A new phase comes with its first step, whose own template is one level deeper.
    expect(pathway).toContain('name="/phases/XROW0X/steps/0/title"');
    expect(pathway).toContain('name="/phases/XROW0X/steps/XROW1X/title"');
  });
});
