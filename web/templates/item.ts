import { html, trusted, type SafeHtml } from "../html.ts";
import type { Strings } from "../i18n.ts";
import { renderLayout, type PageFrame } from "./layout.ts";
import { typeLabel } from "./library.ts";

/** What the item page needs: the stored item and its history. */
export interface ItemView {
  readonly id: string;
  readonly type: string;
  readonly document: Record<string, unknown>;
  readonly html: Record<string, string>;
  readonly version: number;
  readonly deleted: boolean;
  readonly verified: boolean;
  readonly kid: string | null;
  readonly signerName: string;
  readonly history: readonly { version: number; createdAt: string; author: string; changed: readonly string[] }[];
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function list(values: unknown): string[] {
  return Array.isArray(values) ? values.filter((v): v is string => typeof v === "string") : [];
}

function metaRow(label: string, value: unknown): SafeHtml | "" {
  if (value === undefined || value === null || value === "") return "";
  return html`<div><dt>${label}</dt><dd>${String(value)}</dd></div>`;
}

/** Renders the page of one item: its content (Markdown already sanitized) and its provenance. */
export function renderItemPage(frame: PageFrame, view: ItemView): string {
  const { t } = frame;
  const d = view.document;
  const title = view.deleted ? t.deleted : (str(d.title) ?? view.id);
  const section = (pointer: string, heading?: string) =>
    view.html[pointer] ? html`${heading ? html`<h2>${heading}</h2>` : ""}<div class="prose">${trusted(view.html[pointer]!)}</div>` : "";
  const content = view.deleted
    ? html`<p>${t.deleted}</p>`
    : html`<p class="summary">${str(d.summary) ?? ""}</p>
<dl class="facts">
  ${metaRow(t.city, [str(d.city), str(d.country)].filter(Boolean).join(", "))}
  ${metaRow(t.language, str(d.language))}
  ${metaRow(t.published, str(d.published)?.slice(0, 10))}
  ${metaRow(t.updated, str(d.updated)?.slice(0, 10))}
  ${metaRow(t.themes, list(d.themes).join(", "))}
  ${metaRow(t.tags, list(d.tags).join(", "))}
</dl>
${section("/problem", "Problem")}
${section("/approach", "Approach")}
${section("/body")}`;
  return renderLayout(
    { ...frame, title },
    html`<article>
<p class="type type-${view.type}">${typeLabel(t, view.type)}</p>
<h1>${title}</h1>
${content}
</article>
<aside class="provenance" aria-labelledby="prov-h">
<h2 id="prov-h">${t.provenance}</h2>
<p>${t.signedBy} ${view.signerName}${view.verified ? html`, ${t.signatureValid}` : ""}${view.kid ? html` <code>kid ${view.kid.slice(0, 12)}…</code>` : ""}</p>
<p><a href="/api/items?${new URLSearchParams({ id: view.id })}">${t.rawDocument}</a></p>
<h3>${t.history}</h3>
<ol class="history" reversed>
${view.history.map(
  (h) => html`<li>${t.version} ${h.version} · <time datetime="${h.createdAt}">${h.createdAt.slice(0, 16).replace("T", " ")}</time> · ${h.author}${h.changed.length ? html` · ${h.changed.join(", ")}` : ""}</li>`,
)}
</ol>
</aside>`,
  );
}
