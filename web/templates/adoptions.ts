import type { AdopterProfile } from "../../node/library/documents.generated.ts";
import { html, type SafeHtml } from "../html.ts";
import { fill, type Locale } from "../i18n.ts";
import type { PageFrame } from "./layout.ts";
import { choice } from "./pathway-parts.ts";

/** One city's adoption of a case, as the case, city and network pages list it. */
export interface AdoptionEntry {
  readonly id: string;
  /** The adoption's page on this node, and its title in the reader's language where translated. */
  readonly href: string;
  readonly title: string;
  /** The language of {@link title}. */
  readonly lang: string;
  /** The adopting city: its verified origin's name. */
  readonly city: string;
  readonly cityHref: string;
  /** The status value of the signed document (`piloting`…). */
  readonly status: string;
  /** Since when the status holds (or when the adoption was last updated), YYYY-MM-DD. */
  readonly date: string;
  readonly verified: boolean;
  readonly profile?: AdopterProfile;
  readonly caseId: string;
  /** The adopted case's title and page, when this node holds it. */
  readonly caseTitle?: string;
  readonly caseHref?: string;
  /** Who signed the adopted case. */
  readonly caseCity?: string;
}

/** The adoption status in the reader's words. */
export function adoptionStatus(locale: Locale, status: string): string {
  return choice(locale, "status", status);
}

/** "Signed by X; the signature is valid." as a badge. */
export function signatureBadge(frame: PageFrame, e: Pick<AdoptionEntry, "city" | "verified">): SafeHtml {
  const { t } = frame;
  return e.verified
    ? html`<span class="badge ok">${fill(t.signedValid, { city: e.city })}</span>`
    : html`<span class="badge warn">${fill(t.signedUnverified, { city: e.city })}</span>`;
}

/** "Adopted by": each city, its status and date, and whose signature vouches for it. */
export function renderAdoptedBy(frame: PageFrame, entries: readonly AdoptionEntry[]): SafeHtml | "" {
  if (entries.length === 0) return "";
  const { t, locale } = frame;
  return html`<h2 id="adoptions-h">${t.adoptedBy}</h2>
<div class="table-wrap"><table class="stack" aria-labelledby="adoptions-h">
<thead><tr><th scope="col">${t.city}</th><th scope="col">${t.adoption}</th><th scope="col">${t.status}</th><th scope="col">${t.since}</th><th scope="col">${t.signature}</th></tr></thead>
<tbody>${entries.map(
    (e) =>
      html`<tr><td data-label="${t.city}"><a href="${e.cityHref}">${e.city}</a></td><td data-label="${t.adoption}"><a href="${e.href}" lang="${e.lang}">${e.title}</a></td><td data-label="${t.status}">${adoptionStatus(locale, e.status)}</td><td data-label="${t.since}"><time datetime="${e.date}">${e.date}</time></td><td data-label="${t.signature}">${signatureBadge(frame, e)}</td></tr>`,
  )}</tbody></table></div>`;
}
