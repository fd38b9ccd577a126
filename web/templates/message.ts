import { html } from "../html.ts";
import { renderLayout, type PageFrame } from "./layout.ts";

/** A link under a message, such as back to the home page. */
export interface MessageLink {
  readonly href: string;
  readonly label: string;
}

/** Renders a short page: the frame's title as heading, a message, and maybe a link (errors, refusals). */
export function renderMessagePage(frame: PageFrame, message: string, link?: MessageLink): string {
  return renderLayout(
    frame,
    html`<h1>${frame.title}</h1><p>${message}</p>${link ? html`<p><a href="${link.href}">${link.label}</a></p>` : ""}`,
  );
}

/** Renders the page for an address that names nothing here, with a search box. */
export function renderNotFoundPage(frame: PageFrame): string {
  const { t } = frame;
  return renderLayout(
    frame,
    html`<h1>${t.notFound}</h1><p>${t.notFoundHelp}</p>
<form class="searchbox" role="search" method="get" action="/search"><label for="nf-q">${t.searchLabel}</label><input type="search" id="nf-q" name="q"><button type="submit">${t.searchButton}</button></form>
<p><a href="/">${t.home}</a></p>`,
  );
}
