import { describe, expect, it } from "vitest";
import { escapeHtml, html, trusted } from "./html.ts";
import { renderLayout, withLocale } from "./templates/layout.ts";
import { stringsFor } from "./i18n.ts";
import { itemHref, provenanceBadge } from "./templates/parts.ts";

describe("html``", () => {
  it("escapes every interpolated value, in text and in attributes", () => {
    const evil = `"><script>alert('x')</script>&`;
    const out = html`<a title="${evil}">${evil}</a>`.value;
    expect(out).toBe(
      `<a title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</a>`,
    );
  });

  it("joins arrays, drops null, undefined and false, and keeps SafeHtml as is", () => {
    expect(html`<ul>${["<a>", html`<li>b</li>`]}</ul>${null}${undefined}${false}${0}`.value).toBe(
      "<ul>&lt;a&gt;<li>b</li></ul>0",
    );
    expect(html`${trusted("<mark>x</mark>")}`.value).toBe("<mark>x</mark>");
  });

  it("escapeHtml() leaves Korean text alone", () => {
    expect(escapeHtml("엠보팅 <b>")).toBe("엠보팅 &lt;b&gt;");
  });
});

describe("templates", () => {
  const t = stringsFor("en");
  it("renderLayout() has a skip link, landmarks, the language switch and an escaped title", () => {
    const page = renderLayout(
      { locale: "en", t, title: "<Title>", cityName: "Seoul", url: "/search?q=a" },
      html`<h1>x</h1>`,
    );
    expect(page).toContain(`<html lang="en">`);
    expect(page).toContain(`<a class="skip" href="#main">`);
    expect(page).toContain(`<main id="main"`);
    expect(page).toContain(`<title>&lt;Title&gt; · WeGO Exchange</title>`);
    expect(page).toContain(`href="/search?q=a&amp;lang=ko"`);
    expect(page).not.toContain("style=");
  });

  it("withLocale() replaces an existing lang parameter", () => {
    expect(withLocale("/x?lang=en&q=1", "ko")).toBe("/x?lang=ko&q=1");
  });

  it("itemHref() keeps this node's items at their path and sends peers' to /library/item", () => {
    expect(itemHref("http://seoul.test/items/case-a", "http://seoul.test")).toBe("/items/case-a");
    expect(itemHref("http://busan.test/items/case-b", "http://seoul.test")).toBe(
      "/library/item?id=http%3A%2F%2Fbusan.test%2Fitems%2Fcase-b",
    );
  });

  it("provenanceBadge() names a peer's host and whether its signature was checked", () => {
    expect(provenanceBadge(t, { origin: "http://busan.test", local: false, verified: true }).value).toContain(
      "From busan.test",
    );
    expect(provenanceBadge(t, { origin: "http://busan.test", local: false, verified: false }).value).toContain(
      "Signature not checked",
    );
  });
});

describe("labelFor()", () => {
  it("names a field by its labels and row numbers", async () => {
    const { labelFor } = await import("./templates/item-form.ts");
    const { fieldsForType } = await import("./forms/schema-fields.ts");
    const ctx = { locale: "en" as const, type: "Pathway", fields: fieldsForType("Pathway") };
    expect(labelFor(ctx, "/phases/1/steps/0/title")).toBe("Phase 2 › Step 1 › What to do");
    expect(labelFor(ctx, "/body")).toBe("Full text");
    expect(labelFor({ ...ctx, locale: "ko" }, "/phases/1/steps/0/title")).toBe("단계 2 › 할 일 1 › 할 일");
    expect(labelFor(ctx, "/translations/ko/summary")).toBe("Summary in Korean");
  });
});
