import { describe, expect, it } from "vitest";
import { stringsFor } from "../i18n.ts";
import type { PageFrame } from "./layout.ts";
import { renderLoginPage } from "./login.ts";
import { renderMessagePage, renderNotFoundPage } from "./message.ts";
import { renderDeletePage, renderNewItemPage } from "./publish.ts";

const frame: PageFrame = {
  locale: "en",
  t: stringsFor("en"),
  title: "Page",
  cityName: "Seoul <Metropolitan>",
  url: "/",
  csrf: "tok",
};

describe("the small pages", () => {
  it("renderLoginPage() keeps the username escaped, and ties the error to the form only when there is one", () => {
    const clean = renderLoginPage(frame, { username: "", next: "/" });
    expect(clean).not.toContain('id="login-error"');
    expect(clean).not.toContain("aria-describedby");
    const failed = renderLoginPage(frame, { username: '"><b>', next: "/official/new", error: "wrong" });
    expect(failed).toContain('<p class="alert" role="alert" id="login-error">wrong</p>');
    expect(failed).toContain('value="&quot;&gt;&lt;b&gt;"');
    expect(failed).toContain('aria-describedby="login-error"');
    expect(failed).toContain('<input type="hidden" name="next" value="/official/new">');
    expect(failed).toContain('<input type="hidden" name="_csrf" value="tok">');
  });

  it("renderLoginPage() shows the account command as code, with no Markdown backticks, in every language", () => {
    for (const locale of ["en", "ko"] as const) {
      const page = renderLoginPage({ ...frame, locale, t: stringsFor(locale) }, { username: "", next: "/" });
      expect(page, locale).toContain("<code>wego user add</code>");
      expect(page, locale).not.toContain("`");
    }
  });

  it("renderNewItemPage() names the city and offers each type", () => {
    const page = renderNewItemPage(frame);
    expect(page).toContain("Seoul &lt;Metropolitan&gt;");
    for (const type of ["CaseStudy", "Pathway", "Dataset"]) expect(page).toContain(`href="/official/new/${type}"`);
  });

  it("renderDeletePage() posts the version it asked about", () => {
    const page = renderDeletePage(frame, {
      title: "A & B",
      version: 3,
      action: "/official/delete?id=x",
      cancelHref: "/items/x",
    });
    expect(page).toContain('<form method="post" action="/official/delete?id=x">');
    expect(page).toContain('<input type="hidden" name="_version" value="3">');
    expect(page).toContain('href="/items/x"');
    expect(page).toContain("A &amp; B");
  });

  it("renderMessagePage() and renderNotFoundPage() give a heading and a way on", () => {
    expect(renderMessagePage({ ...frame, title: "429" }, "slow down", { href: "/", label: "Home" })).toContain(
      '<h1>429</h1><p>slow down</p><p><a href="/">Home</a></p>',
    );
    expect(renderNotFoundPage(frame)).toContain('<form class="searchbox" role="search" method="get" action="/search">');
  });
});
