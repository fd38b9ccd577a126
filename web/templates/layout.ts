import { html, type SafeHtml } from "../html.ts";
import { LOCALES, type Locale, type Strings } from "../i18n.ts";

/** The official viewing a page, as the header shows them. */
export interface FrameUser {
  readonly username: string;
  readonly role: string;
}

/** What every page shows around its content. */
export interface PageFrame {
  readonly locale: Locale;
  readonly t: Strings;
  readonly title: string;
  readonly cityName: string;
  /** Path and query of this page, to build the language switch's links. */
  readonly url: string;
  /** Which main navigation entry is current. */
  readonly section?:
    | "home"
    | "search"
    | "cities"
    | "network"
    | "publish"
    | "assessments"
    | "peers"
    | "accounts"
    | "login";
  readonly user?: FrameUser;
  /** CSRF token for the forms of this page (the logout button among them). */
  readonly csrf?: string;
  /** A one-time message, such as "Published"; an error is shown as one, and announced at once. */
  readonly flash?: { readonly text: string; readonly error: boolean };
  /** Client scripts of this page, under /static/. */
  readonly scripts?: readonly string[];
  /** Atom feeds of this page's items, announced for feed readers (autodiscovery). */
  readonly feeds?: readonly { readonly href: string; readonly title: string }[];
  /** More of `<head>`: an item page's canonical link, Open Graph tags and schema.org JSON-LD. */
  readonly head?: SafeHtml;
}

/** The URL of this page in another interface language. */
export function withLocale(url: string, locale: Locale): string {
  const u = new URL(url, "http://x");
  u.searchParams.set("lang", locale);
  return `${u.pathname}?${u.searchParams}`;
}

const LOCALE_NAMES: Record<Locale, string> = { en: "English", ko: "한국어" };

/** A hidden CSRF field for a form. */
export function csrfField(frame: PageFrame): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${frame.csrf ?? ""}">`;
}

function navLink(frame: PageFrame, section: PageFrame["section"], href: string, label: string): SafeHtml {
  return html`<li><a href="${href}"${frame.section === section ? html` aria-current="page"` : ""}>${label}</a></li>`;
}

/** The page shell: skip link, header with navigation and language switch, main content, footer. */
export function renderLayout(frame: PageFrame, main: SafeHtml): string {
  const { t } = frame;
  const user = frame.user;
  return html`<!doctype html>
<html lang="${frame.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${frame.title} · ${t.siteName}</title>
<link rel="stylesheet" href="/static/site.css">
${(frame.scripts ?? []).map((s) => html`<script src="/static/${s}" defer></script>`)}
${(frame.feeds ?? []).map((f) => html`<link rel="alternate" type="application/atom+xml" href="${f.href}" title="${f.title}">`)}
${frame.head ?? ""}
</head>
<body>
<a class="skip" href="#main">${t.skip}</a>
<header class="site">
  <div class="bar">
    <a class="brand" href="/"><span class="mark" aria-hidden="true">W</span><span>${t.siteName}<small>${frame.cityName}</small></span></a>
    <nav class="lang" aria-label="${t.languageSwitch}">
      <ul>${LOCALES.map((l) =>
        l === frame.locale
          ? html`<li><span aria-current="true" lang="${l}">${LOCALE_NAMES[l]}</span></li>`
          : html`<li><a href="${withLocale(frame.url, l)}" lang="${l}" hreflang="${l}">${LOCALE_NAMES[l]}</a></li>`,
      )}</ul>
    </nav>
  </div>
  <nav class="main-nav" aria-label="${t.mainNav}">
    <ul>
      ${navLink(frame, "home", "/", t.home)}
      ${navLink(frame, "search", "/search", t.search)}
      ${navLink(frame, "cities", "/library/cities", t.cities)}
      ${navLink(frame, "network", "/network", t.network)}
      ${user ? navLink(frame, "publish", "/official/new", t.publish) : ""}
      ${user ? navLink(frame, "assessments", "/official/assessments", t.myAssessments) : ""}
      ${user?.role === "admin" ? navLink(frame, "peers", "/admin/peers", t.peers) : ""}
      ${user?.role === "admin" ? navLink(frame, "accounts", "/admin/accounts", t.accounts) : ""}
    </ul>
    <div class="account">
      ${
        user
          ? html`<span class="who">${t.loggedInAs} <strong>${user.username}</strong></span>
      <form method="post" action="/logout" class="inline">${csrfField(frame)}<button type="submit" class="link">${t.logOut}</button></form>`
          : html`<a href="/login"${frame.section === "login" ? html` aria-current="page"` : ""}>${t.logIn}</a>`
      }
    </div>
  </nav>
</header>
<main id="main" tabindex="-1">
${
  frame.flash
    ? frame.flash.error
      ? html`<p class="alert" role="alert">${frame.flash.text}</p>`
      : html`<p class="flash" role="status">${frame.flash.text}</p>`
    : ""
}
${main}
</main>
<footer class="site">
  <p>${t.footerNote}</p>
  <p><a href="/.well-known/jwks.json">${t.keys} (JWKS)</a> · <a href="/api">${t.api}</a> · <a href="https://we-gov.org/">WeGO</a></p>
</footer>
</body>
</html>
`.value;
}
