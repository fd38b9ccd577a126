import { html, type SafeHtml } from "../html.ts";
import type { Locale, Strings } from "../i18n.ts";

/** What every page shows around its content. */
export interface PageFrame {
  readonly locale: Locale;
  readonly t: Strings;
  readonly title: string;
  readonly cityName: string;
}

/** The page shell: header with the node's city, main content, footer. */
export function renderLayout(frame: PageFrame, main: SafeHtml): string {
  return html`<!doctype html>
<html lang="${frame.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${frame.title} · WeGO Exchange</title>
<link rel="stylesheet" href="/static/site.css">
</head>
<body>
<a class="skip" href="#main">${frame.t.skip}</a>
<header class="site">
  <a class="brand" href="/">WeGO Exchange</a>
  <span class="node-city">${frame.cityName}</span>
</header>
<main id="main">
${main}
</main>
<footer class="site">
  <p>WeGO Exchange · <a href="/.well-known/jwks.json">JWKS</a> · <a href="/api/items">API</a></p>
</footer>
</body>
</html>
`.value;
}
