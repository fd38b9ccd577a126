import { html, type SafeHtml } from "../html.ts";
import { changedFieldLabel } from "../forms/form-text.ts";
import { fill, type Locale, type Strings } from "../i18n.ts";
import { dateTag, safeHost } from "./parts.ts";
import { itemPageHref, type ItemAddress } from "./item-parts.ts";
import { renderCompareForm } from "./item-diff.ts";

/** One entry of the version history as the panel shows it. */
export interface HistoryEntry {
  readonly version: number;
  readonly createdAt: string;
  readonly author: string;
  readonly changed: readonly string[];
  readonly deleted: boolean;
}

/** Everything the provenance panel says about an item. */
export interface ProvenanceView {
  readonly id: string;
  /**
   * Who signed the item, named from its verified origin: this node's name, or a peer's
   * actor name and host. Never the document's own `city` field, which anyone can write.
   */
  readonly city: string;
  /** The signer's city page. */
  readonly cityHref?: string;
  readonly origin: string;
  readonly local: boolean;
  readonly verified: boolean;
  readonly kid: string | null;
  /** For a peer's item: who delivered it and when. */
  readonly via?: string;
  readonly receivedAt?: string;
  readonly history: readonly HistoryEntry[];
  /** Where the item's page is, for links to its versions and comparisons. */
  readonly address: ItemAddress;
  /** The version this page shows (the current one when absent). */
  readonly shown?: number;
}

/**
 * Who wrote a version, for people: ` · by kim` for `user:kim`, ` · by host` for
 * `via:https://host/cities/x`, and the starter library for the seeds a node loads at its first start.
 */
function authorText(t: Strings, author: string): string {
  if (author === "seed") return ` · ${t.bySeed}`;
  return ` · ${t.by} ${author.startsWith("via:") ? safeHost(author.slice(4)) : author.replace(/^user:/, "")}`;
}

/** The fields a version changed, named as the item's form names them in the reader's language. */
function changedText(locale: Locale, type: string, changed: readonly string[]): string {
  return changed.map((field) => changedFieldLabel(locale, type, field)).join(", ");
}

function apiHref(id: string, version?: number): string {
  const qs = new URLSearchParams({ id });
  if (version !== undefined) qs.set("version", String(version));
  return `/api/items?${qs}`;
}

/**
 * The provenance panel: origin, signature status in plain words, history, raw signed document.
 * `type` is the item's, so the history names changed fields as its form does, in `locale`.
 */
export function renderProvenance(t: Strings, locale: Locale, type: string, view: ProvenanceView): SafeHtml {
  const signed = fill(view.verified ? t.signedValid : t.signedUnverified, { city: view.city });
  const via = view.via ? safeHost(view.via) : safeHost(view.origin);
  return html`<aside class="provenance${view.verified ? "" : " unverified"}" aria-labelledby="prov-h">
<h2 id="prov-h">${t.provenance}</h2>
<p><strong>${signed}</strong></p>
<p>${
    view.local
      ? fill(t.publishedHere, { city: view.city })
      : fill(via === safeHost(view.origin) ? t.receivedFrom : t.receivedVia, {
          via,
          date: (view.receivedAt ?? "").slice(0, 10) || "?",
          city: view.city,
        })
  }</p>
<dl>
  <dt>${t.originCity}</dt><dd>${view.cityHref ? html`<a href="${view.cityHref}">${view.city}</a> · ` : ""}<a href="${view.origin}">${safeHost(view.origin)}</a></dd>
  ${view.kid ? html`<dt>${t.signingKey}</dt><dd><code title="${view.kid}">${view.kid.slice(0, 16)}…</code></dd>` : ""}
</dl>
<p><a href="${apiHref(view.id)}">${t.rawDocument}</a></p>
<h3>${t.history}</h3>
<ol class="history" reversed>
${view.history.map((h, i) => {
  // The newest entry is the item's own page; a deleted item's newest is its Tombstone, shown there too.
  const href = itemPageHref(view.address, i === 0 ? {} : { version: h.version });
  const label = html`${t.version} ${h.version}`;
  const links = html` · <small>${h.version > 1 && !h.deleted ? html`<a href="${itemPageHref(view.address, { from: h.version - 1, to: h.version })}">${t.whatChanged}<span class="visually-hidden"> (${t.version} ${h.version})</span></a> · ` : ""}<a href="${apiHref(view.id, h.version)}">${t.rawVersion}<span class="visually-hidden"> (${t.version} ${h.version})</span></a></small>`;
  return html`<li>${(view.shown ?? view.history[0]?.version) === h.version ? html`<strong aria-current="page">${label}</strong>` : html`<a href="${href}">${label}</a>`} · ${dateTag(h.createdAt)}${h.author ? authorText(t, h.author) : ""}${links}${
    h.deleted
      ? html` · ${t.delete}`
      : h.changed.length
        ? html`<br><small>${t.changedFields}: ${changedText(locale, type, h.changed)}</small>`
        : ""
  }</li>`;
})}
</ol>
${renderCompareForm(
  t,
  view.address,
  view.history.filter((h) => !h.deleted).map((h) => h.version),
)}
</aside>`;
}
